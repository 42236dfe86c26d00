#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Nothing a probe, tracepoint or ftrace handler runs may sleep on PREEMPT_RT.

Reads the call graph of a gup_track.ko built for an RT kernel (objdump
relocations: every call and tail call the compiler left) and follows it from
every handler: the hook layer's dispatchers and each hook's own entry,
return, watch, redirect and probe functions. On RT, spinlock_t, rwlock_t,
local_bh_disable(), mutexes, semaphores, the slab and page allocators and
anything that waits sleep, so reaching any of them is a failure, printed as
the path from the handler. Calls through a pointer are allowed only in the
dispatchers, whose targets are the handlers themselves.

usage: rt-check.py MODULE.ko
"""
import re
import subprocess
import sys

# Handlers: what the kernel calls with preemption disabled.
DISPATCHERS = {"gt_krp_entry", "gt_krp_ret", "gt_ftrace_entry"}
HANDLER_RE = re.compile(r"_(entry|ret|watch|redirect|probe)$")

# Kernel functions that may sleep on PREEMPT_RT, or allocate, or wait.
SLEEPS_RE = re.compile(
    r"^(rt_spin_lock|rt_spin_trylock|rt_read_lock|rt_write_lock|"
    r"rt_read_trylock|rt_write_trylock|rt_spin_lock_nested|"
    r"__local_bh_disable_ip|local_bh_disable|__local_bh_enable_ip|"
    r"mutex_lock.*|mutex_trylock|down|down_.*|up_read|up_write|"
    r"__kmalloc.*|kmalloc.*|kmem_cache_alloc.*|kmem_cache_free|kfree|"
    r"kvmalloc.*|__kvmalloc.*|kvfree|vmalloc.*|vzalloc.*|__vmalloc.*|vfree|"
    r"__alloc_pages.*|alloc_pages.*|__get_free_pages|free_pages|"
    r"__folio_put|folio_put|put_page|"
    r"schedule.*|msleep.*|usleep_range.*|ssleep|wait_for_completion.*|"
    r"synchronize_.*|rcu_barrier.*|flush_work|flush_delayed_work|"
    r"cancel_work_sync|cancel_delayed_work_sync|"
    r"__might_sleep|__might_resched|might_sleep|"
    r"stack_depot_save.*|__stack_depot_save|"
    r"register_.*|unregister_.*|"
    r"copy_from_user|copy_to_user|_copy_from_user|_copy_to_user|"
    r"folio_lock|__folio_lock|folio_mark_dirty)$")

# Not calls: compiler and tracing plumbing.
IGNORE_RE = re.compile(r"^(__fentry__|__x86_return_thunk|__stack_chk_fail|"
                       r"__SCT__.*|__x86_indirect_thunk_.*)$")
INDIRECT_RE = re.compile(r"^__x86_indirect_thunk_")


def symbols(ko):
    """Function symbols: name -> (section, start, size)."""
    out = subprocess.run(["readelf", "-sW", ko], check=True,
                         capture_output=True, text=True).stdout
    secs = subprocess.run(["readelf", "-SW", ko], check=True,
                          capture_output=True, text=True).stdout
    names = {}
    for line in secs.splitlines():
        m = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)", line)
        if m:
            names[m.group(1)] = m.group(2)
    funcs = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[3] == "FUNC" and f[6].isdigit():
            funcs[f[7]] = (names.get(f[6]), int(f[1], 16), int(f[2]))
    return funcs


def call_graph(ko, funcs):
    """Edges: caller -> set of callees (symbols), indirect calls marked."""
    by_sec = {}
    for name, (sec, start, size) in funcs.items():
        by_sec.setdefault(sec, []).append((start, start + size, name))
    dis = subprocess.run(["objdump", "-dr", "--no-show-raw-insn", ko],
                         check=True, capture_output=True, text=True).stdout
    graph, cur, sec = {}, None, None
    for line in dis.splitlines():
        m = re.match(r"Disassembly of section (\S+):", line)
        if m:
            sec = m.group(1)
            continue
        m = re.match(r"[0-9a-f]+ <([^>]+)>:", line)
        if m:
            cur = m.group(1)
            graph.setdefault(cur, set())
            continue
        m = re.search(r"R_X86_64_(PLT32|PC32)\s+([^\s+-]+)([+-]0x[0-9a-f]+)?",
                      line)
        if not m or cur is None:
            continue
        kind, target = m.group(1), m.group(2)
        addend = int(m.group(3) or "0", 16)
        if kind == "PC32" and not target.startswith("."):
            continue	# data: a per-CPU or global variable
        if target.startswith("."):
            # A local function reached through its section: find it.
            off = addend + 4
            target = next((n for s, e, n in by_sec.get(target, [])
                           if s <= off < e), None)
            if target is None:
                continue
        elif target not in funcs and not re.match(
                r"[a-z_]", target, re.I):
            continue
        graph[cur].add(target)
    return graph


def main():
    ko = sys.argv[1]
    funcs = symbols(ko)
    graph = call_graph(ko, funcs)
    roots = sorted(n for n in funcs if not n.startswith("__pfx_") and
                   (n in DISPATCHERS or HANDLER_RE.search(n)))
    bad = []
    for root in roots:
        seen, stack = {root}, [(root, [root])]
        while stack:
            fn, path = stack.pop()
            for callee in sorted(graph.get(fn, ())):
                if IGNORE_RE.match(callee) and not INDIRECT_RE.match(callee):
                    continue
                if INDIRECT_RE.match(callee):
                    if fn not in DISPATCHERS:
                        bad.append(path + ["<call through a pointer>"])
                    continue
                if SLEEPS_RE.match(callee):
                    bad.append(path + [callee])
                    continue
                if callee in funcs and callee not in seen:
                    seen.add(callee)
                    stack.append((callee, path + [callee]))
    for path in bad:
        print("may sleep on RT: " + " -> ".join(path))
    print(f"{len(roots)} handlers checked, {len(bad)} paths that may sleep")
    return 1 if bad or not roots else 0


if __name__ == "__main__":
    sys.exit(main())
