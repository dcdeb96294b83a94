namespace Ebpf.Links;

/// <summary>Which side of an interface a tcx program sees.</summary>
public enum TcDirection
{
    /// <summary>Packets the interface receives (BPF_TCX_INGRESS).</summary>
    Ingress,
    /// <summary>Packets the interface sends (BPF_TCX_EGRESS).</summary>
    Egress,
}
