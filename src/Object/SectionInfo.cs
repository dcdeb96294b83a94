namespace Ebpf.Object
{
    /// <summary>
    /// What a program's ELF section name says about it, decoded with libbpf's section table
    /// (see <see cref="SectionNames"/>).
    /// </summary>
    /// <param name="Type">The program type.</param>
    /// <param name="ExpectedAttachType">BPF_PROG_LOAD's expected_attach_type (0 when the type takes none).</param>
    /// <param name="AttachType">BPF_LINK_CREATE's / BPF_PROG_ATTACH's attach type; 0 for types attached without
    /// one (socket filters, legacy tc/classifier/action and lwt over netlink, syscall, plain sk_skb and cgroup/skb whose
    /// hook the caller chooses).</param>
    /// <param name="AttachTarget">The part after "prefix/" (a tracepoint "group/name", a function, a binary:symbol), or null.</param>
    /// <param name="Sleepable">A sleepable (".s") section: load with BPF_F_SLEEPABLE.</param>
    /// <param name="XdpFrags">An "xdp.frags" section: load with BPF_F_XDP_HAS_FRAGS.</param>
    /// <param name="HasAttachType">False when <paramref name="AttachType"/> is 0 because the section names no attach
    /// type (0 is also BPF_CGROUP_INET_INGRESS, so this tells the two apart).</param>
    internal sealed record SectionInfo(ProgramType Type, AttachType ExpectedAttachType, AttachType AttachType,
                                     string? AttachTarget, bool Sleepable, bool XdpFrags, bool HasAttachType);
}
