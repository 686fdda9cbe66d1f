import * as prettier from "prettier";
const src = process.argv[2];
console.log(await prettier.format(src, { parser: "typescript" }));
