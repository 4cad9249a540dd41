import { spawn, type ChildProcess } from "node:child_process";

/**
 * A UDP listener inside an instance's network namespace that answers every datagram with
 * `reply`. Busybox `nc` of the test image has no UDP mode, so this is the host's python3
 * entered into the namespace of the instance's init process (`nsenter -n`): to the network,
 * the same as a listener inside the container. The caller kills the child when done.
 */
export function spawnUdpResponder(initPid: number, port: number, reply: string): ChildProcess {
  const code = [
    "import socket",
    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
    `s.bind(("0.0.0.0", ${port}))`,
    "while True:",
    "    data, peer = s.recvfrom(2048)",
    `    s.sendto(${JSON.stringify(reply)}.encode(), peer)`,
  ].join("\n");
  return spawn("nsenter", ["-t", String(initPid), "-n", "python3", "-c", code], {
    stdio: "ignore",
  });
}
