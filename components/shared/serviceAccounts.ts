/**
 * The unprivileged account each daemon runs as, with fixed ids. The ids are fixed (not
 * whatever `adduser -S` picks) because configuration files are pushed through the Incus
 * file API with numeric owners, before the first boot creates the account and again on
 * every change: the file and the account must agree without asking the instance.
 */
export interface ServiceAccount {
  user: string;
  uid: number;
  gid: number;
}

// Alpine's system range is 100-999; these stay clear of the ids its packages take.
const accountIds = {
  prometheus: 901,
  alertmanager: 902,
  loki: 903,
  promtail: 904,
  grafana: 905,
  "node-exporter": 906,
  "step-ca": 907,
  coredns: 908,
  cloudflared: 909,
  mosquitto: 910,
  "ovn-central": 911,
} as const;

export type AccountName = keyof typeof accountIds;

/** The account of a service (user and group share its name and id). */
export function serviceAccount(user: AccountName): ServiceAccount {
  const id = accountIds[user];
  return { user, uid: id, gid: id };
}
