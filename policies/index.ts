/**
 * The Atlas CrossGuard policy pack: `pulumi preview --policy-pack policies` (after
 * `npm run build`, which compiles this file to dist/policies/index.js, the pack's main).
 * Every policy, its default level and its config: policies/README.md.
 */
import { PolicyPack } from "@pulumi/policy";
import { atlasPolicies } from "./policies";

new PolicyPack("atlas", { policies: atlasPolicies });
