namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// The tcptop tests load the same tracepoint programs and start traffic processes of their own: one at a time, so
/// their traffic and process churn do not slow each other (tcptop itself tells their processes apart by comm).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TcptopCollection
{
    public const string Name = "tcptop (kernel)";
}
