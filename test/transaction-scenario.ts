// The client scenario the end-to-end tests run, against a real QEMU and against the
// mock server: a sequence of `transaction` calls made through the client generated
// from qapi/transaction.json, covering all 12 action kinds and both completion
// modes. What each step must do is checked separately per target (QEMU is asked; the
// mock's handlers are inspected).

/** The generated `transactionAction` constructors, as used here. */
export type ActionBuilders = Record<string, (data?: object) => { type: string; data: object }>;

export interface Step {
  name: string;
  actions(a: ActionBuilders, files: (name: string) => string): { type: string; data: object }[];
  properties?: { "completion-mode": "individual" | "grouped" };
  /** QEMU's error when the step must fail; `desc` per QEMU version where the wording differs. */
  rejects?: { class: string; desc: RegExp | Readonly<Record<"7.2" | "10.0", RegExp>> };
  /** Block jobs the step starts (job ids), whose completion events must arrive. */
  jobs?: string[];
}

export const SCENARIO: Step[] = [
  {
    name: "block-dirty-bitmap-add",
    actions: (a) => [
      a["blockDirtyBitmapAdd"]!({ node: "disk0", name: "b0" }),
      a["blockDirtyBitmapAdd"]!({ node: "disk0", name: "b1", disabled: true }),
      a["blockDirtyBitmapAdd"]!({ node: "disk0", name: "b2", disabled: true, granularity: 65536 }),
    ],
  },
  {
    name: "block-dirty-bitmap-enable/-disable",
    actions: (a) => [
      a["blockDirtyBitmapEnable"]!({ node: "disk0", name: "b1" }),
      a["blockDirtyBitmapDisable"]!({ node: "disk0", name: "b0" }),
    ],
    properties: { "completion-mode": "individual" },
  },
  {
    name: "block-dirty-bitmap-merge",
    actions: (a) => [a["blockDirtyBitmapMerge"]!({ node: "disk0", target: "b2", bitmaps: ["b0", "b1"] })],
  },
  {
    name: "block-dirty-bitmap-clear",
    actions: (a) => [a["blockDirtyBitmapClear"]!({ node: "disk0", name: "b0" })],
  },
  {
    name: "block-dirty-bitmap-remove",
    actions: (a) => [a["blockDirtyBitmapRemove"]!({ node: "disk0", name: "b1" })],
  },
  {
    name: "snapshots (internal, blockdev, sync)",
    actions: (a, files) => [
      a["blockdevSnapshotInternalSync"]!({ device: "disk0", name: "snap0" }),
      a["blockdevSnapshot"]!({ node: "disk1", overlay: "ov1" }),
      a["blockdevSnapshotSync"]!({
        "node-name": "disk2",
        "snapshot-file": files("snap2.qcow2"),
        "snapshot-node-name": "snap2",
        format: "qcow2",
      }),
    ],
  },
  {
    name: "backups, individual completion",
    actions: (a, files) => [
      a["blockdevBackup"]!({ device: "disk0", target: "null0", sync: "full", "job-id": "bk0" }),
      a["driveBackup"]!({ device: "disk2", target: files("db0.qcow2"), format: "qcow2", sync: "full", "job-id": "db0" }),
    ],
    jobs: ["bk0", "db0"],
  },
  {
    name: "backups, grouped completion",
    actions: (a, files) => [
      a["blockdevBackup"]!({ device: "ov1", target: "null1", sync: "full", "job-id": "gb1" }),
      a["driveBackup"]!({ device: "disk0", target: files("gb2.qcow2"), format: "qcow2", sync: "full", "job-id": "gb2" }),
    ],
    properties: { "completion-mode": "grouped" },
    jobs: ["gb1", "gb2"],
  },
  {
    name: "abort rolls the transaction back",
    actions: (a) => [a["blockDirtyBitmapAdd"]!({ node: "disk0", name: "b9" }), a["abort"]!()],
    rejects: { class: "GenericError", desc: /^Transaction aborted using Abort action$/ },
  },
  {
    name: "grouped completion refused for bitmap actions",
    actions: (a) => [a["blockDirtyBitmapAdd"]!({ node: "disk0", name: "b8" })],
    properties: { "completion-mode": "grouped" },
    rejects: {
      class: "GenericError",
      desc: {
        "7.2": /^Action 'block-dirty-bitmap-add' does not support Transaction property completion-mode = grouped$/,
        // QEMU 10 writes the word in lower case.
        "10.0": /^Action 'block-dirty-bitmap-add' does not support transaction property completion-mode = grouped$/,
      },
    },
  },
  {
    name: "unknown node",
    actions: (a) => [a["blockDirtyBitmapClear"]!({ node: "nosuch", name: "b0" })],
    rejects: { class: "GenericError", desc: /nosuch/ },
  },
];

/** The error text a step expects from QEMU `version`. */
export function rejectsDesc(step: Step, version: "7.2" | "10.0"): RegExp | undefined {
  const desc = step.rejects?.desc;
  return desc === undefined || desc instanceof RegExp ? desc : desc[version];
}

/** The 12 action kinds; the scenario must use every one. */
export const ACTION_KINDS = [
  "abort",
  "block-dirty-bitmap-add",
  "block-dirty-bitmap-remove",
  "block-dirty-bitmap-clear",
  "block-dirty-bitmap-enable",
  "block-dirty-bitmap-disable",
  "block-dirty-bitmap-merge",
  "blockdev-backup",
  "blockdev-snapshot",
  "blockdev-snapshot-internal-sync",
  "blockdev-snapshot-sync",
  "drive-backup",
];
