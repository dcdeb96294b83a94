using System;
using System.Collections.Generic;
using Ebpf.Btf;

namespace Ebpf.Object
{
    /// <summary>
    /// One program of the object, linked and ready to load: its function followed by every subprogram it
    /// calls, with the section name decoded into program and attach types.
    /// </summary>
    public sealed class ProgramSpec
    {
        internal ProgramSpec(string name, string sectionName, ProgramType type, AttachType expectedAttachType, AttachType attachType,
                           string? attachTarget, bool sleepable, string license, uint kernelVersion, byte[] instructions,
                           IReadOnlyList<InstructionReference>? references = null, IReadOnlyList<FuncInfo>? funcInfos = null,
                           IReadOnlyList<LineInfo>? lineInfos = null, IReadOnlyList<CoreRelocation>? coreRelocations = null)
        {
            Name = name;
            SectionName = sectionName;
            Type = type;
            ExpectedAttachType = expectedAttachType;
            AttachType = attachType;
            AttachTarget = attachTarget;
            Sleepable = sleepable;
            License = license;
            KernelVersion = kernelVersion;
            Instructions = instructions;
            References = references ?? Array.Empty<InstructionReference>();
            FuncInfos = funcInfos ?? Array.Empty<FuncInfo>();
            LineInfos = lineInfos ?? Array.Empty<LineInfo>();
            CoreRelocations = coreRelocations ?? Array.Empty<CoreRelocation>();
        }

        /// <summary>The C function's name.</summary>
        public string Name { get; }

        /// <summary>The ELF section: "xdp", "sockops", "tracepoint/sched/sched_process_exec", ...</summary>
        public string SectionName { get; }

        /// <summary>From the section name; <see cref="ProgramType.Unspec"/> when libbpf's table does not know the section.</summary>
        public ProgramType Type { get; }

        /// <summary>What BPF_PROG_LOAD wants in expected_attach_type (0 when none).</summary>
        public AttachType ExpectedAttachType { get; }

        /// <summary>What BPF_LINK_CREATE / BPF_PROG_ATTACH wants (0 for the section names that give none: see <see cref="HasAttachType"/>).</summary>
        public AttachType AttachType { get; }

        /// <summary>The part of the section name after the prefix ("sched/sched_process_exec", a function name); null when none.</summary>
        public string? AttachTarget { get; }

        /// <summary>A sleepable (".s") section.</summary>
        public bool Sleepable { get; }

        public string License { get; }

        public uint KernelVersion { get; }

        /// <summary>8 bytes per instruction, in the object's byte order: the program's function followed by every
        /// subprogram it calls (transitively), with bpf-to-bpf call offsets already fixed for that layout.</summary>
        internal byte[] Instructions { get; }

        /// <summary>ld_imm64 of maps/globals/externs and kfunc calls to patch at load.</summary>
        internal IReadOnlyList<InstructionReference> References { get; }

        /// <summary>One per function in the linked layout; <see cref="FuncInfo.InstructionOffset"/> is an instruction index.</summary>
        public IReadOnlyList<FuncInfo> FuncInfos { get; }

        /// <summary><see cref="LineInfo.InstructionOffset"/> is an instruction index in the linked layout.</summary>
        public IReadOnlyList<LineInfo> LineInfos { get; }

        /// <summary>CO-RE relocations; <see cref="CoreRelocation.InstructionOffset"/> is an instruction index in the linked layout
        /// (the kernel's <c>bpf_core_relo.insn_off</c> is in bytes: multiply by 8 when handing them to BPF_PROG_LOAD).</summary>
        public IReadOnlyList<CoreRelocation> CoreRelocations { get; }

        /// <summary>False when the section names no attach type (socket, tc, classifier, action, lwt_*, sk_skb, cgroup/skb,
        /// freplace, syscall, unknown sections): <see cref="AttachType"/> is then 0, which is also BPF_CGROUP_INET_INGRESS.</summary>
        public bool HasAttachType { get; init; }

        /// <summary>An "xdp.frags" section: load with BPF_F_XDP_HAS_FRAGS.</summary>
        public bool XdpFrags { get; init; }

        /// <summary>False for libbpf's SEC("?name") convention: the program is not loaded unless asked for.</summary>
        public bool AutoLoad { get; init; } = true;

        /// <summary>Number of 8-byte instructions.</summary>
        public int InstructionCount => Instructions.Length / 8;

        public override string ToString() => $"{Name} ({SectionName}, {Type}, {InstructionCount} insns)";
    }
}
