/**
 * Every mustache template, rendered with hostile text in every value it places: the
 * renderer either refuses the value, naming the key (and never echoing the value), or
 * writes a file that still parses (`sh -n` for scripts, an INI reader for grafana.ini)
 * and holds the hostile text only as data: inside a single-quoted shell word, or as one
 * INI value read back unchanged. The views are derived from each template's own tags, so
 * a new template or a new value is covered without touching this file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Mustache from "mustache";
import { describe, expect, it } from "vitest";
import {
  TemplateFragment,
  renderTemplate,
  shellCode,
  templateFormats,
  templatesDir,
} from "../../components/shared/render";
import { markerContexts, readIni, unparseableScripts } from "../helpers/fileContexts";

/** The word every hostile value carries, so its placement can be found in the output. */
const marker = "ATLASPWNED";

const hostileValues: readonly string[] = [
  `$(touch /tmp/${marker})`,
  `\`touch /tmp/${marker}\``,
  `x; touch /tmp/${marker} #`,
  `x' ; ${marker} ; echo '`,
  `x" ; ${marker} ; echo "`,
  `3.5.3\ntouch /tmp/${marker} #`,
  `x\r\n${marker}=1`,
  `\${${marker}:-x}`,
  `x\\" ${marker}`,
  `"""\n${marker} = 1`,
  `${marker}"""`,
  `${marker}"`,
  `a } ${marker} {`,
  ` ${marker} `,
  `#${marker}`,
  `;${marker}`,
  `$__file{/etc/${marker}}`,
  `${marker}\u0000`,
  `${marker}\u2028x`,
  `*${marker}*`,
];

type Token = ReturnType<typeof Mustache.parse>[number];

const benign = "atlas";

/** A view that fills every tag of `tokens` with a benign word, one element per section. */
function viewFor(tokens: readonly Token[]): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const token of tokens) {
    const [type, name] = [token[0], String(token[1])];
    if ((type === "name" || type === "&") && name !== ".") view[name] ??= benign;
    if (type === "^") {
      // Rendered when the key is false: its tags resolve against this view.
      view[name] ??= false;
      for (const [key, value] of Object.entries(viewFor((token[4] ?? []) as Token[])))
        view[key] ??= value;
    }
    if (type === "#") {
      const inner = (token[4] ?? []) as Token[];
      view[name] = inner.some((t) => t[0] === "name" && t[1] === ".")
        ? [benign]
        : [viewFor(inner)];
    }
  }
  return view;
}

/** Paths of the string leaves of a view, as [object, key] pairs to overwrite. */
function leaves(value: unknown, at = ""): { path: string; set: (text: string) => void }[] {
  const out: { path: string; set: (text: string) => void }[] = [];
  if (Array.isArray(value) || (typeof value === "object" && value !== null)) {
    for (const [key, item] of Object.entries(value)) {
      const here = Array.isArray(value) ? `${at}[${key}]` : at ? `${at}.${key}` : key;
      if (typeof item === "string") {
        out.push({
          path: here,
          set: (text) => ((value as Record<string, unknown>)[key] = text),
        });
      } else if (!(item instanceof TemplateFragment)) {
        out.push(...leaves(item, here));
      }
    }
  }
  return out;
}

function templateView(name: string): Record<string, unknown> {
  const text = fs.readFileSync(path.join(templatesDir, name), "utf8");
  return viewFor(Mustache.parse(text));
}

describe("hostile values in every template", () => {
  it("covers every template in the templates folder, each with a declared format", () => {
    const files = fs.readdirSync(templatesDir).filter((f) => f.endsWith(".mustache"));
    expect(Object.keys(templateFormats).sort()).toEqual(files.sort());
  });

  it.each(Object.entries(templateFormats))(
    "%s (%s): every value is refused by key or placed as data",
    (name, format) => {
      const base = renderTemplate(name, templateView(name));
      const paths = leaves(templateView(name)).map((leaf) => leaf.path);
      expect(paths.length).toBeGreaterThan(0);
      const scripts: Record<string, string> = { "base.sh": base };
      const failures: string[] = [];
      let placed = 0;

      for (const [pathIndex, leafPath] of paths.entries()) {
        for (const [valueIndex, hostile] of hostileValues.entries()) {
          const view = templateView(name);
          leaves(view)
            .find((leaf) => leaf.path === leafPath)!
            .set(hostile);
          let output: string;
          try {
            output = renderTemplate(name, view);
          } catch (e) {
            const message = (e as Error).message;
            if (!message.includes(`the value of '${leafPath}'`) || message.includes(hostile)) {
              failures.push(`${leafPath} = ${JSON.stringify(hostile)}: unclear refusal: ${message}`);
            }
            continue;
          }
          placed++;
          const what = `${leafPath} = ${JSON.stringify(hostile)}`;
          if (format === "shell") {
            scripts[`${pathIndex}-${valueIndex}.sh`] = output;
            // A comment is inert up to its line end, and line breaks are always refused.
            const contexts = markerContexts(output, marker).filter(
              (c) => c !== "single" && c !== "comment",
            );
            if (contexts.length > 0) failures.push(`${what}: placed as ${contexts.join(", ")}`);
          } else if (format === "ini") {
            const entries = readIni(output);
            const keys = (list: [string, string, string][]) =>
              list.map(([s, k]) => `${s}.${k}`).join(" ");
            if (keys(entries) !== keys(readIni(base))) failures.push(`${what}: changed the keys`);
            if (!entries.some(([, , value]) => value === hostile))
              failures.push(`${what}: not read back as one value`);
          } else {
            failures.push(`${what}: placed into a ${format} file`);
          }
        }
      }
      for (const script of unparseableScripts(format === "shell" ? scripts : {})) {
        failures.push(`${script}: does not parse with sh -n`);
      }
      expect(failures.join("\n")).toBe("");
      // Shell and INI quote what they can; the token formats refuse everything hostile.
      if (format === "config") expect(placed).toBe(0);
      else expect(placed).toBeGreaterThan(0);
    },
  );
});

describe("text the program writes", () => {
  it("places a shell fragment verbatim and refuses it in another format", () => {
    const view = templateView("step-ca-certificate.sh.mustache");
    const script = renderTemplate("step-ca-certificate.sh.mustache", {
      ...view,
      reloadCommand: shellCode("rc-service --ifstarted mosquitto restart"),
    });
    expect(script).toContain("\nrc-service --ifstarted mosquitto restart\n");
    expect(() =>
      renderTemplate("grafana.ini.mustache", {
        ...templateView("grafana.ini.mustache"),
        adminUser: shellCode("admin"),
      }),
    ).toThrow(/a shell fragment in a ini file/);
  });

  it("never echoes a refused value, which may be a secret", () => {
    const secret = "hunter2\n[security]";
    expect(() =>
      renderTemplate("grafana.ini.mustache", {
        ...templateView("grafana.ini.mustache"),
        adminPassword: secret,
      }),
    ).toThrow(/the value of 'adminPassword' holds a line break/);
    try {
      renderTemplate("grafana.ini.mustache", {
        ...templateView("grafana.ini.mustache"),
        adminPassword: secret,
      });
    } catch (e) {
      expect((e as Error).message).not.toContain("hunter2");
    }
  });
});

describe("the context reader the shell check relies on", () => {
  it("tells single-quoted data from code, double quotes and comments", () => {
    const at = (script: string) => markerContexts(script, marker);
    expect(at(`echo '${marker}'`)).toEqual(["single"]);
    expect(at(`echo ${marker}`)).toEqual(["code"]);
    expect(at(`echo "${marker}"`)).toEqual(["double"]);
    expect(at(`x="$(find "$d" -name '${marker}')"`)).toEqual(["single"]);
    expect(at(`x="$(find "$d" -name ${marker})"`)).toEqual(["code"]);
    expect(at(`# ${marker}\necho ok`)).toEqual(["comment"]);
    expect(at(`echo "'${marker}'"`)).toEqual(["double"]);
  });
});
