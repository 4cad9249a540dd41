/**
 * The provider's package schema against the hand-written SDK (incus/sdk) and the provider's
 * own validators. The SDK is read with the TypeScript compiler, so a property added to an
 * Args interface or a class without the provider knowing it (or the other way round), a
 * changed type or a changed optionality fails here.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import {
  packageSchema,
  type PackageSchema,
  type SchemaObject,
  type SchemaProperty,
} from "../../incus/provider/packageSchema";
import { allHandlers, IncusProvider, PROVIDER_VERSION } from "../../incus/provider/provider";
import { validateFile } from "../../incus/provider/resources/instanceFiles";
import { validateExec } from "../../incus/provider/resources/instanceExec";
import { assertProviderBuilt } from "../../automation/e2e/workspace";
import { pulumiCommand } from "../../automation/shared/pulumiCommand";

const repo = path.join(__dirname, "..", "..");
const sdkDir = path.join(repo, "incus", "sdk");

/** A member as the SDK declares it: its type reduced to a comparable word, and optionality. */
interface Member {
  type: string;
  optional: boolean;
}

interface SdkModel {
  interfaces: Map<string, Map<string, Member>>;
  /** Resource classes by token: their declared outputs and the name of their Args interface. */
  classes: Map<string, { outputs: Map<string, Member>; args: string }>;
  /** Type aliases of string-literal unions (`InstanceExecTrigger`): strings in the schema. */
  stringAliases: Set<string>;
}

function readSdk(): SdkModel {
  const model: SdkModel = { interfaces: new Map(), classes: new Map(), stringAliases: new Set() };
  const sources = fs
    .readdirSync(sdkDir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) =>
      ts.createSourceFile(f, fs.readFileSync(path.join(sdkDir, f), "utf8"), ts.ScriptTarget.Latest),
    );
  // Aliases first: member types refer to them.
  for (const sf of sources) {
    for (const st of sf.statements) {
      if (
        ts.isTypeAliasDeclaration(st) &&
        ts.isUnionTypeNode(st.type) &&
        st.type.types.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal))
      ) {
        model.stringAliases.add(st.name.text);
      }
    }
  }
  for (const sf of sources) {
    for (const st of sf.statements) {
      if (ts.isInterfaceDeclaration(st)) {
        const members = new Map<string, Member>();
        for (const m of st.members) {
          if (ts.isPropertySignature(m) && m.type && ts.isIdentifier(m.name)) {
            members.set(m.name.text, {
              type: describeType(m.type, model),
              optional: m.questionToken !== undefined,
            });
          }
        }
        model.interfaces.set(st.name.text, members);
      }
      if (ts.isClassDeclaration(st) && st.name) {
        let token: string | undefined;
        let args = "";
        const outputs = new Map<string, Member>();
        for (const m of st.members) {
          if (!ts.isPropertyDeclaration(m) || !ts.isIdentifier(m.name)) continue;
          if (
            m.name.text === "__pulumiType" &&
            m.initializer &&
            ts.isStringLiteral(m.initializer)
          ) {
            token = m.initializer.text;
          } else if (m.type) {
            const described = describeType(m.type, model);
            outputs.set(m.name.text, {
              type: described.replace(/\|undefined$/, ""),
              optional: described.endsWith("|undefined"),
            });
          }
        }
        const ctor = st.members.find(ts.isConstructorDeclaration);
        const argsParam = ctor?.parameters[1]?.type;
        if (argsParam && ts.isTypeReferenceNode(argsParam)) args = argsParam.typeName.getText(sf);
        if (token) model.classes.set(token, { outputs, args });
      }
    }
  }
  return model;
}

/** `pulumi.Input<pulumi.Input<string>[]>` → `array<string>`; `Record<string, X>` → `map<X>`. */
function describeType(node: ts.TypeNode, model: SdkModel): string {
  if (ts.isUnionTypeNode(node)) {
    const parts = node.types.filter((t) => t.kind !== ts.SyntaxKind.UndefinedKeyword);
    const inner = describeType(parts[0], model);
    return parts.length < node.types.length ? `${inner}|undefined` : inner;
  }
  if (ts.isParenthesizedTypeNode(node)) return describeType(node.type, model);
  if (ts.isArrayTypeNode(node)) return `array<${describeType(node.elementType, model)}>`;
  if (node.kind === ts.SyntaxKind.StringKeyword) return "string";
  if (node.kind === ts.SyntaxKind.BooleanKeyword) return "boolean";
  if (node.kind === ts.SyntaxKind.NumberKeyword) return "integer";
  if (ts.isTypeReferenceNode(node)) {
    const name = ts.isIdentifier(node.typeName) ? node.typeName.text : node.typeName.right.text;
    const args = node.typeArguments ?? [];
    if ((name === "Input" || name === "Output") && args.length === 1) {
      return describeType(args[0], model);
    }
    if (name === "Record" && args.length === 2) return `map<${describeType(args[1], model)}>`;
    if (model.stringAliases.has(name)) return "string";
    return `ref<incus:index:${name}>`;
  }
  return `unknown(${ts.SyntaxKind[node.kind]})`;
}

function describeSchema(p: SchemaProperty): string {
  if (p.$ref) return `ref<${p.$ref.replace("#/types/", "")}>`;
  if (p.type === "array" && p.items) return `array<${describeSchema(p.items)}>`;
  if (p.type === "object" && p.additionalProperties) {
    return `map<${describeSchema(p.additionalProperties)}>`;
  }
  return p.type ?? "unknown";
}

/** The schema object's members in the SDK's terms, to compare with toEqual. */
function schemaMembers(
  properties: Record<string, SchemaProperty>,
  required: readonly string[] | undefined,
): Record<string, Member> {
  const out: Record<string, Member> = {};
  for (const [name, p] of Object.entries(properties)) {
    out[name] = { type: describeSchema(p), optional: !(required ?? []).includes(name) };
  }
  return out;
}

function sdkMembers(members: Map<string, Member> | undefined): Record<string, Member> {
  expect(members, "SDK interface not found").toBeDefined();
  return Object.fromEntries(members!);
}

const schema: PackageSchema = packageSchema(
  allHandlers().map((h) => h.spec),
  PROVIDER_VERSION,
);
const sdk = readSdk();

describe("package schema: every incus:index resource and function, generated from the specs", () => {
  it("GetSchema answers the same schema, as JSON", async () => {
    const answered = JSON.parse(await new IncusProvider().getSchema()) as PackageSchema;
    expect(answered).toEqual(schema);
    expect(answered.name).toBe("incus");
    expect(answered.version).toBe(PROVIDER_VERSION);
  });

  it("has a resource for every handler and a class in the SDK for every resource", () => {
    const handlerTokens = allHandlers()
      .map((h) => h.spec.token)
      .sort();
    expect(Object.keys(schema.resources).sort()).toEqual(handlerTokens);
    expect([...sdk.classes.keys()].filter((t) => t.startsWith("incus:index:")).sort()).toEqual(
      handlerTokens,
    );
    expect(Object.keys(schema.functions)).toEqual([
      "incus:index:getNetwork",
      "incus:index:getClusterMembers",
    ]);
  });

  for (const h of allHandlers()) {
    const token = h.spec.token;
    describe(token, () => {
      const cls = sdk.classes.get(token);
      const res = schema.resources[token];

      it("the SDK's Args interface is the schema's inputs (names, types, required)", () => {
        expect(cls, `no SDK class with __pulumiType ${token}`).toBeDefined();
        expect(sdkMembers(sdk.interfaces.get(cls!.args))).toEqual(
          schemaMembers(res.inputProperties, res.requiredInputs),
        );
      });

      it("the SDK class's outputs are the schema's properties (names, types, always set)", () => {
        expect(Object.fromEntries(cls!.outputs)).toEqual(
          schemaMembers(res.properties, res.required),
        );
      });

      it("secret outputs are the handler's", () => {
        const secret = Object.entries(res.properties)
          .filter(([, p]) => p.secret === true)
          .map(([k]) => k);
        expect(secret).toEqual([...(h.secretOutputs ?? [])]);
      });
    });
  }

  it("the SDK's nested interfaces are the schema's types", () => {
    for (const [token, type] of Object.entries(schema.types)) {
      const name = token.replace("incus:index:", "");
      expect(sdkMembers(sdk.interfaces.get(name)), token).toEqual(
        schemaMembers(type.properties, type.required),
      );
    }
    // And every type an SDK member refers to is in the schema.
    const refs = new Set<string>();
    for (const members of sdk.interfaces.values()) {
      for (const m of members.values()) {
        for (const r of m.type.matchAll(/ref<([^>]+)>/g)) refs.add(r[1]);
      }
    }
    expect([...refs].filter((r) => !(r in schema.types))).toEqual([]);
  });

  it("getNetwork's arguments and result, and the provider's configuration, match the SDK", () => {
    const fn = schema.functions["incus:index:getNetwork"];
    const plain = (o: SchemaObject): Record<string, Member> =>
      schemaMembers(o.properties, o.required);
    expect(sdkMembers(sdk.interfaces.get("GetNetworkArgs"))).toEqual(
      plain(fn.inputs ?? { properties: {} }),
    );
    expect(sdkMembers(sdk.interfaces.get("GetNetworkResult"))).toEqual(plain(fn.outputs));
    expect(sdkMembers(sdk.interfaces.get("ProviderArgs"))).toEqual(
      schemaMembers(schema.config.variables, []),
    );
  });

  it("getClusterMembers' arguments and result match the SDK", () => {
    const fn = schema.functions["incus:index:getClusterMembers"];
    // No arguments: the schema has no inputs and the SDK's Args interface is empty.
    expect(fn.inputs).toBeUndefined();
    expect(sdkMembers(sdk.interfaces.get("GetClusterMembersArgs"))).toEqual({});
    expect(sdkMembers(sdk.interfaces.get("GetClusterMembersResult"))).toEqual(
      schemaMembers(fn.outputs.properties, fn.outputs.required),
    );
    expect(describeSchema(fn.outputs.properties.members)).toBe(
      "array<ref<incus:index:ClusterMember>>",
    );
  });

  it("the nested types name exactly the fields the provider's validators accept", () => {
    const sample: Record<string, unknown> = {
      string: "/x",
      boolean: true,
      integer: 1,
      stringMap: {},
      stringList: ["sh"],
    };
    const fill = (token: string): Record<string, unknown> =>
      Object.fromEntries(
        Object.entries(schema.types[token].properties).map(([k, p]) => [
          k,
          sample[
            describeSchema(p)
              .replace(/^array<string>$/, "stringList")
              .replace(/^map<string>$/, "stringMap")
          ],
        ]),
      );
    const unknownField = (reasons: string[]): string[] =>
      reasons.filter((r) => r.includes("unknown field"));
    const file = fill("incus:index:InstanceFile");
    expect(unknownField(validateFile(file as never, 0))).toEqual([]);
    expect(unknownField(validateFile({ ...file, owner: "x" } as never, 0))).toHaveLength(1);
    const exec = fill("incus:index:InstanceExec");
    expect(unknownField(validateExec(exec as never, 0))).toEqual([]);
    expect(unknownField(validateExec({ ...exec, shell: "sh" } as never, 0))).toHaveLength(1);
  });

  it("marks the inputs whose change replaces the object, from the spec", () => {
    const instance = schema.resources["incus:index:Instance"].inputProperties;
    expect(instance.image.replaceOnChanges).toBe(true);
    expect(instance.config.replaceOnChanges).toBeUndefined();
    expect(instance.files.items?.$ref).toBe("#/types/incus:index:InstanceFile");
    expect(instance.type.default).toBe("container");
  });

  it("the engine reads it from the plugin and its own schema checker accepts it", async () => {
    assertProviderBuilt();
    const pulumi = (await pulumiCommand()).command;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-schema-"));
    try {
      const env = {
        ...process.env,
        PULUMI_HOME: path.join(dir, "home"),
        PULUMI_SKIP_UPDATE_CHECK: "true",
      };
      const got = spawnSync(
        pulumi,
        ["package", "get-schema", path.join(repo, "bin", "pulumi-resource-incus")],
        { env, encoding: "utf8", timeout: 120_000 },
      );
      expect(got.stderr).toBe("");
      expect(got.status).toBe(0);
      expect(JSON.parse(got.stdout)).toEqual(schema);
      const file = path.join(dir, "schema.json");
      fs.writeFileSync(file, got.stdout);
      const checked = spawnSync(pulumi, ["schema", "check", file], {
        env,
        encoding: "utf8",
        timeout: 120_000,
      });
      expect(`${checked.stdout}${checked.stderr}`).toBe("");
      expect(checked.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
