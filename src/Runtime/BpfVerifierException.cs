namespace Ebpf;

/// <summary>
/// The kernel refused to load a program. <see cref="VerifierLog"/> holds the verifier's whole log (with the C
/// source lines when the object has line info); the message names the program and quotes the log's last lines.
/// </summary>
public sealed class BpfVerifierException : BpfException
{
    public BpfVerifierException(string message, int errno, string programName, string verifierLog)
        : base(message, errno, "BPF_PROG_LOAD", programName) => VerifierLog = verifierLog;

    /// <summary>The verifier's complete log for the failed load ("" when the kernel wrote none).</summary>
    public string VerifierLog { get; }

    /// <summary>The C function name of the program that was refused.</summary>
    public string ProgramName => ObjectName!;
}
