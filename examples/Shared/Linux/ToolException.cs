namespace Ebpf.Examples.Linux;

/// <summary>A system tool or a Linux call failed; the message says which, why, and what to install or fix.</summary>
public sealed class ToolException(string message) : Exception(message);
