#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Nothing a probe, tracepoint or ftrace handler runs may sleep on PREEMPT_RT.

Builds the call graph of a gup_track.ko from its disassembly and follows it
from every handler. The graph has three kinds of edge:

  - direct calls, jumps and tail calls (call, jmp, jcc) whose target lies
    outside the caller: between static functions of one object file the
    compiler leaves no relocation, only the encoded target, so the target
    address is read from the instruction;
  - calls with a relocation: to another object's function, to a local one
    through its section (foo.cold in .text.unlikely), or to the kernel;
  - a function's address taken by reachable code (mov $fn, lea fn(%rip)):
    it may be called from there, by us or by the kernel on our behalf.

The roots are what the kernel calls with preemption disabled: the hook
layer's dispatchers, every function stored in a handler member (entry, ret,
watch, redirect, probe) of a struct gt_hook table (found through the debug
information), and, as before, every function named like a handler.

On RT, spinlock_t, rwlock_t, local_lock_t, local_bh_disable(), mutexes,
semaphores, the slab, percpu and page allocators and anything that waits
sleep. Every kernel function reachable code calls must be on ALLOWED below,
each with the reason it does not sleep on RT; anything else fails, and so
does a call through a pointer outside the dispatchers (whose targets are
the roots) or a branch the checker cannot resolve. A failure prints the path
from the handler. The last line is a summary.

Meant for RT builds: elsewhere spinlock_t compiles to the same
_raw_spin_lock calls as raw_spinlock_t, and the GFP_ATOMIC fallback of the
pools is compiled in, so a generic build fails on it by design.

usage: rt-check.py [-v] MODULE.ko
"""
import re
import subprocess
import sys

# Handlers: what the kernel calls with preemption disabled. The dispatchers
# are registered in code (kretprobe and ftrace_ops), the rest in gt_hook
# tables; the name pattern is a second net for both.
DISPATCHERS = {"gt_krp_entry", "gt_krp_ret", "gt_ftrace_entry"}
HANDLER_RE = re.compile(r"_(entry|ret|watch|redirect|probe)$")
HOOK_STRUCT = "gt_hook"
HOOK_MEMBERS = ("entry", "ret", "watch", "redirect", "probe")

# Kernel functions a handler may call: each is known not to sleep on
# PREEMPT_RT (6.1-rt and 6.12-rt) in the way we call it. Keep it short;
# a new entry needs a reason.
ALLOWED = {
    # raw_spinlock_t stays a spinning lock on RT (on RT, spinlock_t is
    # rt_spin_lock, so on an RT build these names mean raw locks).
    "_raw_spin_lock": "raw_spinlock_t",
    "_raw_spin_unlock": "raw_spinlock_t",
    "_raw_spin_lock_irqsave": "raw_spinlock_t",
    "_raw_spin_unlock_irqrestore": "raw_spinlock_t",
    # Paravirt hooks (call *pv_ops+N(%rip)): irq flags and the queued
    # spinlock's unlock, patched to plain instructions on bare metal.
    "pv_ops": "paravirt CPU primitives",
    # preempt_enable() reaching zero: a preemption point, never a sleep
    # in a sleeping lock; under a handler the count never reaches zero.
    "__SCT__preempt_schedule": "preempt_enable()",
    "__SCT__preempt_schedule_notrace": "preempt_enable()",
    "preempt_schedule_thunk": "preempt_enable() (6.1)",
    "preempt_schedule_notrace_thunk": "preempt_enable() (6.1)",
    # Preemptible RCU read side: a nesting counter; the unlock's special
    # path (deboost, quiescent state report) takes raw locks only.
    "__rcu_read_lock": "RCU read side",
    "__rcu_read_unlock": "RCU read side",
    # Plain string and memory helpers, and their failure (BUG, no return).
    "memset": "no locks", "memcpy": "no locks",
    "strcmp": "no locks", "strncmp": "no locks", "strlen": "no locks",
    "strnlen": "no locks", "strscpy": "no locks",
    "sized_strscpy": "no locks (6.12's strscpy)",
    "fortify_panic": "BUG()", "__fortify_panic": "BUG() (6.12)",
    # The timekeeper: a seqcount_raw_spinlock_t read, retried, no lock.
    "ktime_get_with_offset": "seqcount read",
    # The ORC unwinder for the call sites: reads the stack and the ORC
    # tables; copy_from_kernel_nofault(): pagefault_disable(), no locks.
    "__unwind_start": "ORC unwinder", "unwind_next_frame": "ORC unwinder",
    "unwind_get_return_address": "ORC unwinder",
    "copy_from_kernel_nofault": "pagefault_disable()",
    # Symbol lookup, once per hooked function (gt_group_learn): kallsyms
    # tables, modules under preempt_disable()/RCU, BPF and ftrace
    # trampolines under RCU; nothing allocates or takes a sleeping lock.
    "sprint_symbol_no_offset": "kallsyms lookup",
    # pids under RCU: a lock-free idr lookup and a dereference.
    "find_pid_ns": "RCU idr lookup", "pid_task": "RCU dereference",
    "PageHeadHuge": "reads the page's flags",
    # Deferring work: irqs off, worker_pool->lock and timer_base->lock
    # are raw_spinlock_t.
    "queue_work_on": "raw pool lock",
    "queue_delayed_work_on": "raw pool and timer base locks",
    # Rate-limited error reports: ___ratelimit() only trylocks a raw lock;
    # printk() on RT stores into the lockless ring buffer and leaves the
    # consoles to their printing threads.
    "___ratelimit": "raw_spin_trylock", "_printk": "deferred on RT",
    # A refcount at its limit (refcount_inc() of get_task_struct()): a
    # WARN, which prints as above.
    "refcount_warn_saturate": "WARN on a broken refcount",
}

# Known to sleep on RT: named as such in a failure (anything else that is
# not ALLOWED fails too, as not known to be safe).
SLEEPS_RE = re.compile(
    r"^(rt_spin_.*|rt_read_.*|rt_write_.*|rt_mutex.*|"
    r"_raw_(read|write)_.*|"  # rwlock_t on !RT; on RT, rt_read/rt_write
    r"__local_bh_disable_ip|local_bh_disable|__local_bh_enable_ip|"
    r"mutex_.*|down|down_.*|up_read|up_write|"
    r"__kmalloc.*|kmalloc.*|kmem_cache_alloc.*|kmem_cache_free|kfree|"
    r"kfree_sensitive|krealloc.*|kstrdup.*|kstrndup|kmemdup.*|kvmemdup|"
    r"kvmalloc.*|__kvmalloc.*|kvfree.*|kvrealloc|vmalloc.*|vzalloc.*|"
    r"__vmalloc.*|vfree|__alloc_percpu.*|alloc_percpu.*|free_percpu|"
    r"__alloc_pages.*|alloc_pages.*|folio_alloc.*|__folio_alloc.*|"
    r"__get_free_pages|get_zeroed_page|free_pages|__free_pages|"
    r"__folio_put|folio_put|put_page|"
    r"xa_.*|__xa_.*|xas_.*|idr_.*|ida_.*|radix_tree_.*|"
    r"get_random_.*|__get_random_.*|prandom_.*|"
    r"__wake_up.*|wake_up_var|wake_up_bit|__wake_up_bit|"
    r"schedule.*|msleep.*|usleep_range.*|ssleep|wait_for_completion.*|"
    r"synchronize_.*|rcu_barrier.*|flush_work|flush_delayed_work|"
    r"cancel_work_sync|cancel_delayed_work_sync|"
    r"__SCT__cond_resched|__SCT__might_resched|__cond_resched.*|"
    r"__might_sleep|__might_resched|might_sleep|__might_fault|"
    r"stack_depot_save.*|__stack_depot_save|"
    r"register_.*|unregister_.*|"
    r"copy_from_user|copy_to_user|_copy_from_user|_copy_to_user|"
    r"folio_lock|__folio_lock|folio_mark_dirty|"
    r"kvfree_call_rcu|kfree_call_rcu)$")

# Not calls: compiler and tracing plumbing.
IGNORE_RE = re.compile(r"^(__fentry__|__x86_return_thunk|__stack_chk_fail|"
                       r"__ubsan_handle_.*)$")
# Retpolines: a call through a pointer.
INDIRECT_RE = re.compile(r"^__x86_indirect_(jump_|call_)?thunk_")
BRANCH_RE = re.compile(r"^(call|jmp|j[a-z]{1,3})q?$")
PREFIXES = {"notrack", "bnd", "cs", "ds", "lock", "rep", "repz", "repnz",
            "data16", "addr32"}


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True,
                          text=True).stdout


class Module:
    def __init__(self, ko):
        self.ko = ko
        self.read_symbols()

    def read_symbols(self):
        """Sections, and function and object symbols by section."""
        self.secname, self.exec_secs = {}, set()
        for line in run("readelf", "-SW", self.ko).splitlines():
            m = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)\s+\S+\s+\S+\s+\S+\s+\S+"
                         r"\s+\S+\s+(\S*)", line)
            if m:
                self.secname[m.group(1)] = m.group(2)
                if "X" in m.group(3):
                    self.exec_secs.add(m.group(2))
        # name -> (section, start, size); __pfx_ padding is not a function
        self.funcs, self.objects = {}, {}
        for line in run("readelf", "-sW", self.ko).splitlines():
            f = line.split()
            if len(f) < 8 or not f[6].isdigit():
                continue
            sec = self.secname.get(f[6])
            start, size = int(f[1], 16), int(f[2], 0)
            if f[3] == "FUNC" and not f[7].startswith("__pfx_"):
                self.funcs[f[7]] = (sec, start, size)
            elif f[3] == "OBJECT":
                self.objects.setdefault(f[7], []).append((sec, start, size))
        self.by_sec = {}
        for name, (sec, start, size) in self.funcs.items():
            self.by_sec.setdefault(sec, []).append((start, start + size, name))

    def canon(self, name):
        """One name per address: init_module is gt_init's alias."""
        sec, start, _ = self.funcs[name]
        return self.func_at(sec, start)

    def func_at(self, sec, off):
        """The function holding sec+off; a code section without symbols
        (.altinstr_replacement) counts as one function named <sec>."""
        for s, e, n in self.by_sec.get(sec, ()):
            if s <= off < e:
                return n
        if sec in self.exec_secs and sec not in self.by_sec:
            return "<%s>" % sec
        return None

    def relocations(self):
        """section -> list of (offset, type, symbol, addend)."""
        rels, sec = {}, None
        for line in run("readelf", "-rW", self.ko).splitlines():
            m = re.match(r"Relocation section '\.rela(\S+)'", line)
            if m:
                sec = m.group(1)
                rels.setdefault(sec, [])
                continue
            m = re.match(r"([0-9a-f]+)\s+[0-9a-f]+\s+(R_X86_64_\w+)\s+"
                         r"[0-9a-f]+\s+(\S+)\s*([+-])\s*([0-9a-f]+)", line)
            if m and sec:
                add = int(m.group(5), 16) * (-1 if m.group(4) == "-" else 1)
                rels[sec].append((int(m.group(1), 16), m.group(2),
                                  m.group(3), add))
        return rels

    def resolve(self, sym, kind, addend):
        """A relocation's target: ('fn', name), ('ext', name) or None."""
        if sym in self.funcs:
            return ("fn", sym)
        if sym.startswith("."):
            if sym not in self.exec_secs:
                return None	# data
            off = addend + 4 if kind in ("R_X86_64_PC32", "R_X86_64_PLT32") \
                else addend
            fn = self.func_at(sym, off)
            return ("fn", fn) if fn else ("bad", "%s%+#x" % (sym, addend))
        if sym in self.objects:
            return None
        return ("ext", sym)

    def call_graph(self):
        """fn -> {callee: how}, how in call, reloc, addr, ext, indirect,
        bad. Also counts the edges found only in the disassembly."""
        graph = {}
        dis = run("objdump", "-d", "--no-show-raw-insn", "-r", self.ko)
        sec = cur = None
        insn = None		# (addr, end, mnemonic, target, has_reloc)

        def edge(fn, callee, how):
            graph.setdefault(fn, {})
            if callee not in graph[fn] or how in ("reloc", "ext"):
                graph[fn][callee] = how

        def flush():
            # A branch without a relocation: its encoded target is exact.
            # Through a pointer: only the paravirt table is known (its
            # relocation made the edge already).
            if insn is None or insn[4] or cur is None:
                return
            if insn[2] == "indirect":
                edge(cur, "<call through a pointer>", "indirect")
                return
            if insn[3] is None:
                return
            fn = self.func_at(sec, insn[3])
            if cur.startswith("<") and insn[2] != "call" and fn != cur:
                return	# alternative code jumping back to its site
            if fn is None:
                edge(cur, "<branch to %s+%#x>" % (sec, insn[3]), "bad")
            elif fn != cur:
                edge(cur, fn, "call")

        lines = dis.splitlines()
        for i, line in enumerate(lines):
            m = re.match(r"Disassembly of section (\S+):", line)
            if m:
                flush()
                insn, sec, cur = None, m.group(1), None
                continue
            m = re.match(r"([0-9a-f]+) <([^>]+)>:", line)
            if m:
                flush()
                insn = None
                start = int(m.group(1), 16)
                cur = self.func_at(sec, start)
                if cur is not None:
                    graph.setdefault(cur, {})
                continue
            m = re.match(r"\s+([0-9a-f]+):\s+(R_X86_64_\w+)\s+(\S+?)"
                         r"(?:([+-])0x([0-9a-f]+))?$", line)
            if m:
                if cur is None:
                    continue
                off, kind, sym = int(m.group(1), 16), m.group(2), m.group(3)
                add = int(m.group(5) or "0", 16) * \
                    (-1 if m.group(4) == "-" else 1)
                on_branch = insn is not None and insn[0] <= off < insn[1] \
                    and insn[2] is not None
                if on_branch:
                    insn = insn[:4] + (True,)
                t = self.resolve(sym, kind, add)
                if t is None:
                    continue
                if t[0] == "ext":
                    if on_branch and insn[2] == "indirect":
                        # call *pv_ops+N(%rip): the pointer is the kernel's
                        edge(cur, sym, "ext" if sym == "pv_ops"
                             else "indirect")
                    elif on_branch:
                        edge(cur, sym, "ext")
                    elif kind not in ("R_X86_64_PC32",):
                        # an external address as an immediate: could be a
                        # function handed to someone; harmless unless
                        # called, which needs a branch or an indirect call
                        pass
                elif t[0] == "bad":
                    edge(cur, "<%s>" % t[1], "bad")
                elif t[1] != cur:
                    if cur.startswith("<") and on_branch and \
                            insn[2] != "call":
                        continue	# alternative code jumping back
                    edge(cur, t[1], "reloc" if on_branch else "addr")
                continue
            m = re.match(r"\s+([0-9a-f]+):\s+(.*)$", line)
            if m:
                flush()
                addr = int(m.group(1), 16)
                # the next instruction's address bounds this one
                end = addr + 16
                for nxt in lines[i + 1:i + 4]:
                    n = re.match(r"\s+([0-9a-f]+):\s+(?!R_X86)", nxt)
                    if n:
                        end = int(n.group(1), 16)
                        break
                words = m.group(2).split()
                while words and words[0] in PREFIXES:
                    words = words[1:]
                mnem = words[0] if words else ""
                target = None
                if BRANCH_RE.match(mnem) and len(words) > 1:
                    if words[1].startswith("*"):
                        mnem = "indirect"
                    else:
                        t = re.match(r"([0-9a-f]+)\b", words[1])
                        target = int(t.group(1), 16) if t else None
                else:
                    mnem = None
                insn = (addr, end, mnem, target, False)
        flush()
        return graph

    def hook_tables(self):
        """Functions stored in a handler member of a struct gt_hook
        variable or array, from the debug information and .rela.data."""
        info = run("readelf", "--debug-dump=info", self.ko)
        dies, cur, members = {}, None, {}
        parent = []
        for line in info.splitlines():
            m = re.match(r"\s*<(\d+)><([0-9a-f]+)>: Abbrev Number: (\d+)"
                         r"(?: \((\w+)\))?", line)
            if m:
                depth = int(m.group(1))
                off = int(m.group(2), 16)
                del parent[depth:]
                parent.append(off)
                cur = {"tag": m.group(4), "parent": parent[depth - 1]
                       if depth else None}
                if m.group(4):
                    dies[off] = cur
                continue
            m = re.match(r"\s*<[0-9a-f]+>\s+(DW_AT_\w+)\s*:\s*(.*)$", line)
            if m and cur is not None:
                at, val = m.group(1), m.group(2).strip()
                if at == "DW_AT_name":
                    cur["name"] = val.split(": ")[-1].strip()
                elif at == "DW_AT_type":
                    cur["type"] = int(val.strip("<>"), 16)
                elif at == "DW_AT_byte_size":
                    cur["size"] = int(val, 0)
                elif at == "DW_AT_data_member_location":
                    cur["loc"] = int(val.split()[0], 0)
        layout = None
        for off, d in dies.items():
            if d["tag"] == "DW_TAG_structure_type" and \
                    d.get("name") == HOOK_STRUCT and "size" in d:
                fields = {dd["name"]: dd["loc"] for dd in dies.values()
                          if dd["parent"] == off and "loc" in dd and
                          dd["tag"] == "DW_TAG_member"}
                layout = (d["size"], {fields[f] for f in HOOK_MEMBERS
                                      if f in fields})
                break
        if layout is None:
            return None

        def is_hook(t, depth=0):
            d = dies.get(t)
            if d is None or depth > 8:
                return False
            if d["tag"] == "DW_TAG_structure_type":
                return d.get("name") == HOOK_STRUCT
            if d["tag"] in ("DW_TAG_array_type", "DW_TAG_const_type",
                            "DW_TAG_volatile_type", "DW_TAG_typedef"):
                return "type" in d and is_hook(d["type"], depth + 1)
            return False

        names = {d["name"] for d in dies.values()
                 if d["tag"] == "DW_TAG_variable" and "name" in d and
                 "type" in d and is_hook(d["type"])}
        tables = [(sec, s, size) for n in names
                  for sec, s, size in self.objects.get(n, ())]
        size, offs = layout
        roots = {}
        for sec, rels in self.relocations().items():
            for off, kind, sym, add in rels:
                if kind != "R_X86_64_64":
                    continue
                for tsec, s, tsize in tables:
                    if tsec == sec and s <= off < s + tsize and \
                            (off - s) % size in offs:
                        t = self.resolve(sym, kind, add)
                        if t and t[0] == "fn":
                            roots[self.canon(t[1]) if t[1] in self.funcs
                                  else t[1]] = True
        return sorted(roots), sorted(names)


def check(ko, verbose=False):
    mod = Module(ko)
    graph = mod.call_graph()
    tables = mod.hook_tables()
    problems = []
    if tables is None:
        problems.append("no struct %s in the debug information: cannot find "
                        "the handler tables" % HOOK_STRUCT)
        table_roots, table_names = [], []
    else:
        table_roots, table_names = tables
        if not table_roots:
            problems.append("no handler found in the %s tables" % HOOK_STRUCT)
    missing = DISPATCHERS - set(mod.funcs)
    if missing:
        problems.append("dispatchers not found (renamed?): " +
                        ", ".join(sorted(missing)))
    roots = sorted(set(table_roots) |
                   {mod.canon(n) for n in mod.funcs
                    if n in DISPATCHERS or HANDLER_RE.search(n)})

    bad, reached, kernel = [], set(), {}
    for root in roots:
        seen, stack = {root}, [(root, [root])]
        while stack:
            fn, path = stack.pop()
            reached.add(fn)
            for callee, how in sorted(graph.get(fn, {}).items()):
                if how == "bad":
                    bad.append((path + [callee], "unresolved branch"))
                    continue
                if how == "ext" and INDIRECT_RE.match(callee):
                    how = "indirect"
                    callee = "<call through a pointer>"
                if how == "indirect":
                    if fn not in DISPATCHERS:
                        bad.append((path + [callee], "may call anything"))
                    continue
                if how == "ext":
                    if IGNORE_RE.match(callee):
                        continue
                    kernel.setdefault(callee, path + [callee])
                    if SLEEPS_RE.match(callee):
                        bad.append((path + [callee], "sleeps on RT"))
                    elif callee not in ALLOWED:
                        bad.append((path + [callee],
                                    "kernel function not known to be "
                                    "RT-safe (add it to ALLOWED with a "
                                    "reason, if it is)"))
                    continue
                if callee not in seen:
                    seen.add(callee)
                    stack.append((callee, path + [callee]))

    for p in problems:
        print("rt-check: " + p)
    for path, why in bad:
        print("may sleep on RT: " + " -> ".join(path) + "  (" + why + ")")
    if verbose:
        print("roots: " + " ".join(roots))
        print("tables: " + " ".join(table_names))
        print("reached: " + " ".join(sorted(reached)))
        for k in sorted(kernel):
            print("kernel: %s  (%s)" % (k, " -> ".join(kernel[k])))
    internal = sum(1 for e in graph.values() for h in e.values()
                   if h in ("call", "reloc", "addr"))
    dis_only = sum(1 for e in graph.values() for h in e.values()
                   if h == "call")
    external = sum(1 for e in graph.values() for h in e.values()
                   if h == "ext")
    fails = len(bad) + len(problems)
    print(f"{len(roots)} handlers, {len(reached)} functions and "
          f"{len(kernel)} kernel functions reached; {internal} module edges "
          f"({dis_only} seen only in the code), {external} kernel edges; "
          f"{fails} paths that may sleep"
          + (" FAILED" if fails or not roots else ""))
    return 1 if fails or not roots else 0


def main():
    args = sys.argv[1:]
    verbose = "-v" in args
    args = [a for a in args if a != "-v"]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[-1])
        return 2
    try:
        return check(args[0], verbose)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"rt-check: cannot read {args[0]}: {e} FAILED")
        return 1


if __name__ == "__main__":
    sys.exit(main())
