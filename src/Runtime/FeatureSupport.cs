namespace Ebpf;

/// <summary>The answer of a feature probe.</summary>
public enum FeatureStatus
{
    /// <summary>The kernel accepted the probe.</summary>
    Supported,
    /// <summary>The kernel does not know the feature, or refuses it for this combination.</summary>
    Unsupported,
    /// <summary>The probe could not decide (no privileges, lockdown, or a kind this library does not probe).</summary>
    Unknown,
}

/// <summary>A probe's answer and why, e.g. "BPF_PROG_LOAD of a minimal xdp program succeeded".</summary>
public readonly record struct FeatureSupport(FeatureStatus Status, string Reason)
{
    /// <summary>True only for <see cref="FeatureStatus.Supported"/>.</summary>
    public bool IsSupported => Status == FeatureStatus.Supported;

    /// <inheritdoc />
    public override string ToString() => $"{Status}: {Reason}";
}
