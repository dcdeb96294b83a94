namespace Ebpf.Examples.Sockredir.Bench;

/// <summary>
/// One request/response run: round-trip percentiles (request out, same-size response back) and exchanges per second.
/// <see cref="Tool"/> says what measured it: sockperf where its message size limits allow, this app's ping-pong
/// elsewhere.
/// </summary>
internal sealed record LatencyFigures(string Tool, double P50Micros, double P99Micros, double TransactionsPerSecond);
