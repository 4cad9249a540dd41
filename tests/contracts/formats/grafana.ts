/**
 * Grafana's files, checked against Grafana's documented formats (Grafana cannot run in
 * the tests: not in Debian, not to be built here):
 * - grafana.ini: "Configure Grafana" (sections and keys of conf/defaults.ini, go-ini
 *   syntax with `#`/`;` comments and triple-quoted values);
 * - provisioning: "Provision Grafana" (data source and dashboard provider files,
 *   `apiVersion: 1`);
 * - dashboards: the dashboard JSON model (uid, title, panels; each panel's data source
 *   by uid, which must be a provisioned one).
 */
import * as YAML from "yaml";
import {
  absolutePath,
  anything,
  bool,
  check,
  httpUrl,
  int,
  list,
  obj,
  oneOf,
  str,
  type Shape,
} from "./shape";

const integer = str(/^\d+$/, "an integer");
const boolean = oneOf("true", "false");
const anyText = str();

/** The grafana.ini keys Atlas may set, per section (a subset of conf/defaults.ini). */
const iniSections: Record<string, Record<string, Shape>> = {
  paths: {
    data: absolutePath,
    temp_data_lifetime: anyText,
    logs: absolutePath,
    plugins: absolutePath,
    provisioning: absolutePath,
  },
  server: {
    protocol: oneOf("http", "https", "h2", "socket"),
    http_addr: anyText,
    http_port: str(
      /^([1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/,
      "a port",
    ),
    domain: str(/^[A-Za-z0-9.-]+$/, "a host name"),
    enforce_domain: boolean,
    root_url: httpUrl,
    serve_from_sub_path: boolean,
    router_logging: boolean,
    enable_gzip: boolean,
    cert_file: absolutePath,
    cert_key: absolutePath,
  },
  security: {
    disable_initial_admin_creation: boolean,
    admin_user: str(/^\S+$/, "a user name"),
    admin_password: anyText,
    admin_email: anyText,
    secret_key: anyText,
    cookie_secure: boolean,
    cookie_samesite: oneOf("lax", "strict", "none", "disabled"),
    allow_embedding: boolean,
    disable_gravatar: boolean,
    strict_transport_security: boolean,
  },
  users: {
    allow_sign_up: boolean,
    allow_org_create: boolean,
    auto_assign_org: boolean,
    auto_assign_org_role: oneOf("Viewer", "Editor", "Admin"),
    default_theme: oneOf("dark", "light", "system"),
  },
  analytics: {
    reporting_enabled: boolean,
    check_for_updates: boolean,
    check_for_plugin_updates: boolean,
    feedback_links_enabled: boolean,
  },
  metrics: {
    enabled: boolean,
    interval_seconds: integer,
    disable_total_stats: boolean,
    basic_auth_username: anyText,
    basic_auth_password: anyText,
  },
  "auth.anonymous": {
    enabled: boolean,
    org_name: anyText,
    org_role: oneOf("Viewer", "Editor", "Admin"),
  },
  log: { mode: anyText, level: oneOf("debug", "info", "warn", "error", "critical") },
  database: {
    type: oneOf("sqlite3", "mysql", "postgres"),
    host: anyText,
    name: anyText,
    user: anyText,
    password: anyText,
    path: anyText,
  },
};

/** Parses go-ini as Grafana reads it: section → key → value. */
export function parseIni(text: string): {
  sections: Record<string, Record<string, string>>;
  problems: string[];
} {
  const sections: Record<string, Record<string, string>> = {};
  const problems: string[] = [];
  let current: string | undefined;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      current = section[1];
      if (sections[current]) problems.push(`line ${index + 1}: section [${current}] repeated`);
      sections[current] ??= {};
      return;
    }
    const pair = /^([A-Za-z0-9_.]+)\s*=\s*(.*)$/.exec(line);
    if (!pair) {
      problems.push(`line ${index + 1}: not a section, key = value or comment: ${line}`);
      return;
    }
    if (current === undefined) {
      problems.push(`line ${index + 1}: key ${pair[1]} before any section`);
      return;
    }
    let value = pair[2];
    const quoted = /^"""(.*)"""$/.exec(value);
    if (quoted) value = quoted[1];
    else if (value.includes("#") || value.includes(";")) {
      problems.push(
        `line ${index + 1}: ${pair[1]} holds # or ; unquoted (go-ini cuts the value there)`,
      );
    }
    if (pair[1] in sections[current])
      problems.push(`line ${index + 1}: ${current}.${pair[1]} repeated`);
    sections[current][pair[1]] = value;
  });
  return { sections, problems };
}

export function checkGrafanaIni(text: string): string[] {
  const { sections, problems } = parseIni(text);
  for (const [name, keys] of Object.entries(sections)) {
    const known = iniSections[name];
    if (!known) {
      problems.push(`[${name}]: not a section Atlas knows from Grafana's documentation`);
      continue;
    }
    for (const [key, value] of Object.entries(keys)) {
      const shape = known[key];
      if (!shape)
        problems.push(`[${name}] ${key}: unknown key (allowed: ${Object.keys(known).join(", ")})`);
      else problems.push(...check(value, shape, `[${name}] ${key}`));
    }
  }
  return problems;
}

const datasource = obj(
  {
    name: str(/\S/),
    type: str(/^[a-z0-9-]+$/),
    access: oneOf("proxy", "direct"),
    orgId: int(1),
    uid: str(/^[A-Za-z0-9_-]{1,40}$/, "a uid (letters, digits, - and _; 40 at most)"),
    url: httpUrl,
    user: str(),
    database: str(),
    basicAuth: bool,
    basicAuthUser: str(),
    withCredentials: bool,
    isDefault: bool,
    jsonData: obj({}, [], anything),
    secureJsonData: obj({}, [], anything),
    version: int(1),
    editable: bool,
  },
  ["name", "type"],
);
const datasourcesFile = obj(
  {
    apiVersion: int(1, 1),
    datasources: list(datasource),
    deleteDatasources: list(obj({ name: str(), orgId: int(1) }, ["name"])),
  },
  ["apiVersion"],
);
const dashboardProvidersFile = obj(
  {
    apiVersion: int(1, 1),
    providers: list(
      obj(
        {
          name: str(/\S/),
          orgId: int(1),
          folder: str(),
          folderUid: str(),
          type: oneOf("file"),
          disableDeletion: bool,
          updateIntervalSeconds: int(1),
          allowUiUpdates: bool,
          options: obj({ path: absolutePath, foldersFromFilesStructure: bool }, ["path"]),
        },
        ["name", "type", "options"],
      ),
      1,
    ),
  },
  ["apiVersion", "providers"],
);

/** Grafana's provisioning folders and dashboards: every file of `files` (path → text). */
export function checkGrafanaProvisioning(
  files: Map<string, string>,
  provisioningDir: string,
): string[] {
  const problems: string[] = [];
  const uids = new Set<string>();
  const dashboardDirs: string[] = [];
  for (const [file, text] of files) {
    if (file.startsWith(`${provisioningDir}/datasources/`)) {
      const document: unknown = YAML.parse(text);
      problems.push(...check(document, datasourcesFile, file));
      const list =
        (document as { datasources?: { uid?: string; isDefault?: boolean }[] }).datasources ?? [];
      if (list.filter((d) => d.isDefault).length > 1)
        problems.push(`${file}: more than one isDefault data source`);
      for (const d of list) if (d.uid) uids.add(d.uid);
    } else if (file.startsWith(`${provisioningDir}/dashboards/`)) {
      const document: unknown = YAML.parse(text);
      problems.push(...check(document, dashboardProvidersFile, file));
      for (const p of (document as { providers?: { options?: { path?: string } }[] }).providers ??
        []) {
        if (p.options?.path) dashboardDirs.push(p.options.path);
      }
    }
  }
  for (const dir of dashboardDirs) {
    const dashboards = [...files].filter(
      ([file]) => file.startsWith(`${dir}/`) && file.endsWith(".json"),
    );
    if (dashboards.length === 0)
      problems.push(`dashboard provider path ${dir}: no rendered dashboard there`);
    for (const [file, text] of dashboards) problems.push(...checkDashboard(file, text, uids));
  }
  return problems;
}

interface Panel {
  title?: string;
  type?: string;
  datasource?: { type?: string; uid?: string };
  targets?: { expr?: string; refId?: string }[];
  panels?: Panel[];
}

function checkDashboard(file: string, text: string, datasourceUids: Set<string>): string[] {
  let dashboard: { uid?: unknown; title?: unknown; panels?: Panel[] };
  try {
    dashboard = JSON.parse(text) as typeof dashboard;
  } catch (error) {
    return [`${file}: not JSON (${String(error)})`];
  }
  const problems: string[] = [];
  if (typeof dashboard.uid !== "string" || !/^[A-Za-z0-9_-]{1,40}$/.test(dashboard.uid))
    problems.push(`${file}: uid missing or invalid`);
  if (typeof dashboard.title !== "string" || dashboard.title === "")
    problems.push(`${file}: title missing`);
  for (const panel of dashboardPanels(dashboard.panels ?? [])) {
    const uid = panel.datasource?.uid;
    if (uid && !uid.startsWith("$") && !datasourceUids.has(uid)) {
      problems.push(
        `${file}: panel "${panel.title}" uses data source uid ${uid}, which is not provisioned`,
      );
    }
    for (const target of panel.targets ?? []) {
      if (!target.refId) problems.push(`${file}: panel "${panel.title}" has a query without refId`);
    }
  }
  return problems;
}

/** Every panel, rows' nested panels included. */
export function dashboardPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...dashboardPanels(p.panels ?? [])]);
}
