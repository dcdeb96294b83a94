namespace Ebpf;

/// <summary>How <see cref="BpfObject"/> opens and loads an object. Every setting has a working default.</summary>
public sealed class BpfObjectOptions
{
    /// <summary>
    /// The object's name: the prefix of its data maps' kernel names ("name.rodata", as libbpf does) and what
    /// messages call it. Defaults to the file name up to its first '.' (OpenFile), the resource's object name
    /// (OpenEmbedded) or "bpf_object" (Open from memory).
    /// </summary>
    public string? ObjectName { get; set; }

    /// <summary>
    /// Directory in bpffs for maps declared with <c>__uint(pinning, LIBBPF_PIN_BY_NAME)</c>: an existing pin of the
    /// same name and shape is reused, otherwise the map is created and pinned there. Default /sys/fs/bpf (libbpf's).
    /// </summary>
    public string PinPath { get; set; } = "/sys/fs/bpf";

    /// <summary>
    /// The kernel BTF for CO-RE relocations. Null: the running kernel's /sys/kernel/btf/vmlinux, which is also what
    /// tp_btf/fentry attach targets, kfunc calls and __ksym variables are always resolved in.
    /// </summary>
    public string? KernelBtfPath { get; set; }

    /// <summary>
    /// The verifier log level of the first load attempt: 0 (the default) asks for no log, and a refused program
    /// is loaded again with level 1 to get the log for the exception; 1 or 2 (verbose) ask for it up front
    /// and keep it in <see cref="BpfObject.VerifierLogs"/> even when the load succeeds.
    /// </summary>
    public uint VerifierLogLevel { get; set; }

    /// <summary>The first size of the verifier log buffer; it grows (to what the kernel says it needs, or doubled) until the log fits.</summary>
    public int VerifierLogSize { get; set; } = 64 * 1024;
}
