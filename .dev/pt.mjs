import * as prettier from "prettier";
console.log(await prettier.format(process.argv[2], { parser: "typescript" }));
