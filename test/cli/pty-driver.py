"""Drive a command through a pseudo-terminal, expect-style (used by repl.test.ts).

usage: python3 pty-driver.py STEPS.json -- command args...
STEPS.json: a list of {"send": text} (\x03 is Ctrl-C, \x04 Ctrl-D, \t Tab) and
{"expect": regex, "timeout": seconds} and {"sleep": seconds} (keys typed in one burst count
as a paste, for which readline turns Tab completion off, so a Tab goes after a pause). Prints the whole transcript; exits 1 with a note
when an expectation times out, 0 otherwise; the command's exit status goes on the last line.
"""
import json, os, pty, re, select, sys, time

def main():
    steps = json.load(open(sys.argv[1]))
    cmd = sys.argv[sys.argv.index("--") + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.execvp(cmd[0], cmd)
    transcript = b""
    seen = 0  # expectations match only output that arrived after the previous match

    def read(deadline):
        nonlocal transcript
        while True:
            left = deadline - time.time()
            if left <= 0:
                return False
            r, _, _ = select.select([fd], [], [], min(left, 0.2))
            if r:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    return False
                if not chunk:
                    return False
                transcript += chunk
                return True

    for step in steps:
        if "sleep" in step:
            read(time.time() + step["sleep"])
            continue
        if "send" in step:
            os.write(fd, step["send"].encode())
            continue
        pattern = re.compile(step["expect"].encode(), re.S)
        deadline = time.time() + step.get("timeout", 30)
        while True:
            m = pattern.search(transcript, seen)
            if m:
                seen = m.end()
                break
            if not read(deadline) and time.time() >= deadline:
                sys.stdout.write(transcript.decode(errors="replace"))
                sys.stdout.write("\n@@TIMEOUT waiting for %r\n" % step["expect"])
                os.kill(pid, 9)
                sys.exit(1)
            if time.time() >= deadline:
                continue
    # drain until the child exits
    deadline = time.time() + 20
    while time.time() < deadline:
        if not read(deadline):
            break
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(transcript.decode(errors="replace"))
    sys.stdout.write("\n@@EXIT %d\n" % (os.waitstatus_to_exitcode(status)))

main()
