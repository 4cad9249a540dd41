import * as crypto from "node:crypto";

// Mosquitto 2.x's PBKDF2-SHA512 password format (`$7$<iterations>$<salt>$<hash>`), the one
// `mosquitto_passwd` writes; its iteration count, salt and hash lengths.
const iterations = 101;
const saltBytes = 12;
const hashBytes = 64;

/**
 * One password-file line. The salt is derived from the user and password instead of drawn
 * at random, so the same settings always give the same file: a random salt would change
 * the cloud-init user-data, and so replace the instance, on every `pulumi up`.
 */
export function mosquittoPasswordLine(user: string, password: string): string {
  if (user.includes(":") || /\s/.test(user) || user === "") {
    throw new Error(`mosquitto user '${user}': must be non-empty, without ':' or whitespace`);
  }
  const salt = crypto
    .createHmac("sha256", password)
    .update(`atlas-mosquitto-salt:${user}`)
    .digest()
    .subarray(0, saltBytes);
  const hash = crypto.pbkdf2Sync(password, salt, iterations, hashBytes, "sha512");
  return `${user}:$7$${iterations}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

/** The `password_file` content for a user → password map, users sorted for stability. */
export function mosquittoPasswordFile(passwords: Record<string, string>): string {
  return Object.keys(passwords)
    .sort()
    .map((user) => `${mosquittoPasswordLine(user, passwords[user])}\n`)
    .join("");
}
