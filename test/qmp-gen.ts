// Test helper: run qapi-gen on a schema into a temp dir and import the result
// (vitest compiles the generated TypeScript on import).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { main } from "../generator/cli/main.js";

/**
 * The --define set of Debian's qemu-system-x86 7.2 build (x86_64, Linux). Checked
 * against the live query-qmp-schema: every conditional command, event, member and
 * branch it enables is present there and every one it leaves out is absent.
 * Left out: CONFIG_BLKIO (no libblkio in Debian 12), CONFIG_VMNET and CONFIG_COCOA
 * (macOS), the other targets (TARGET_S390X, TARGET_ARM, TARGET_PPC, TARGET_MIPS,
 * TARGET_LOONGARCH64).
 */
export const DEBIAN_X86_64_DEFINES = [
  "TARGET_I386",
  "CONFIG_LINUX",
  "CONFIG_POSIX",
  "CONFIG_TCG",
  "CONFIG_FDT",
  "CONFIG_TPM",
  "CONFIG_SPICE",
  "CONFIG_SPICE_PROTOCOL",
  "CONFIG_VNC",
  "CONFIG_GTK",
  "CONFIG_SDL",
  "CONFIG_CURSES",
  "CONFIG_OPENGL",
  "CONFIG_GBM",
  "CONFIG_DBUS_DISPLAY",
  "CONFIG_REPLICATION",
  "CONFIG_VHOST_USER_BLK_SERVER",
  "CONFIG_VHOST_CRYPTO",
  "CONFIG_FUSE",
  "CONFIG_VDUSE_BLK_EXPORT",
  "CONFIG_SECRET_KEYRING",
  "CONFIG_ZSTD",
  "CONFIG_LIBPMEM",
  "CONFIG_LINUX_IO_URING",
  "CONFIG_INOTIFY1",
  "CONFIG_POSIX_FALLOCATE",
  "CONFIG_MEM_DEVICE",
  "CONFIG_GLUSTERFS_ZEROFILL",
  "CONFIG_GLUSTERFS_FALLOCATE",
  "HAVE_HOST_BLOCK_DEVICE",
  "HAVE_IPPROTO_MPTCP",
];

/**
 * The --define set of Debian's QEMU 10.0 build from bookworm-backports (x86_64, Linux):
 * 7.2's set and what 10.0's schema conditions anew. CONFIG_KVM only appears in
 * conditions that also need TARGET_S390X, so introspection cannot tell it (the build has
 * it). Checked against the live query-qmp-schema as 7.2's set is.
 */
export const DEBIAN_X86_64_DEFINES_10 = [
  ...DEBIAN_X86_64_DEFINES,
  "CONFIG_KVM",
  "CONFIG_PIXMAN",
  "CONFIG_EBPF",
  "HAVE_CHARDEV_SERIAL",
  "HAVE_CHARDEV_PARALLEL",
  "CONFIG_BRLAPI",
  "CONFIG_AUDIO_ALSA",
  "CONFIG_AUDIO_OSS",
  "CONFIG_AUDIO_PA",
  "CONFIG_AUDIO_PIPEWIRE",
  "CONFIG_AUDIO_SDL",
  "CONFIG_AUDIO_JACK",
];

/** The --define set of each QEMU build the tests run. */
export const BUILD_DEFINES: Readonly<Record<"7.2" | "10.0", readonly string[]>> = {
  "7.2": DEBIAN_X86_64_DEFINES,
  "10.0": DEBIAN_X86_64_DEFINES_10,
};

/**
 * Where ../shared's schema of a version and the binary the tests run differ (the
 * schema is of a later patch release than the binary): each a member of a type, its
 * introspection key, and why.
 */
export const KNOWN_SKEW: Readonly<Record<"7.2" | "10.0", readonly { key: string; member: string; reason: string }[]>> = {
  "7.2": [],
  "10.0": [
    {
      key: "BlkdebugInjectErrorOptions.delay-ns",
      member: "delay-ns",
      reason: "../shared has QEMU 10.0.13's schema, where delay-ns ('since 11.1') was backported; the 10.0.2 binary lacks it",
    },
  ],
};

export interface Generated {
  dir: string;
  /** Import a generated module, e.g. "index.ts". */
  load<T>(file: string): Promise<T>;
  remove(): void;
}

/** Generate `schema` (relative to the project root) with extra CLI args. */
export async function generateInto(schema: string, args: readonly string[] = []): Promise<Generated> {
  const dir = mkdtempSync(join(tmpdir(), "qapi-gen-e2e-"));
  const out = join(dir, "out");
  const errors: string[] = [];
  const code = await main([resolve(schema), "-o", out, ...args], {
    stdout: () => {},
    stderr: (t) => errors.push(t),
    cwd: process.cwd(),
  });
  if (code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`qapi-gen ${schema} failed (${code}):\n${errors.join("")}`);
  }
  return {
    dir: out,
    load: <T>(file: string) => import(join(out, file)) as Promise<T>,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const defineArgs = (defines: readonly string[]): string[] => defines.flatMap((d) => ["--define", d]);
