using System.Globalization;
using System.Text;

namespace Ebpf.Examples.Tcptop.Bench;

/// <summary>The bench's results as Markdown (docs/benchmarks.md takes it as printed), with the targets of issue 15.</summary>
internal static class BenchFormat
{
    public static string Markdown(BenchResults r)
    {
        var s = new StringBuilder();
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        string Verdict(bool ok) => ok ? "met" : "**not met**";
        s.AppendLine($"`{r.Command}` ({r.Time:yyyy-MM-dd HH:mm} UTC, {r.Rounds.Count} rounds of {F(r.SecondsPerRun, "0")} s per figure, " +
                     $"{(r.Pinned ? "client on CPU 0, server on CPU 1" : "not pinned")}; medians of each round's own ratio)");
        s.AppendLine();
        s.AppendLine("| figure | without tcptop | with tcptop | with / without | target | |");
        s.AppendLine("|---|---|---|---|---|---|");
        s.AppendLine($"| iperf3 64 B writes, TCP_NODELAY | {F(r.SmallWithout / 1e6, "0")} Mbit/s | | {F(r.SmallRatio, "0.000")} | loss at most 10% | {Verdict(r.SmallRatio >= 0.90)} |");
        s.AppendLine($"| iperf3 128 KiB writes | {F(r.LargeWithout / 1e9, "0.00")} Gbit/s | | {F(r.LargeRatio, "0.000")} | loss at most 3% | {Verdict(r.LargeRatio >= 0.97)} |");
        s.AppendLine($"| sockperf 64 B round trip p50 | {F(r.P50Without, "0.0")} µs | {F(r.P50Without + r.P50Delta, "0.0")} µs | {F(r.P50Delta, "+0.0;-0.0")} µs | at most +2 µs | {Verdict(r.P50Delta <= 2)} |");
        s.AppendLine($"| sockperf 64 B round trip p99 | {F(r.P99Without, "0.0")} µs | {F(r.P99Without + r.P99Delta, "0.0")} µs | {F(r.P99Delta, "+0.0;-0.0")} µs | | |");
        s.AppendLine($"| BPF time per counted socket call (send + recv programs) | | {F(r.NanosecondsPerEvent, "0")} ns | | at most 100 ns | {Verdict(r.NanosecondsPerEvent <= 100)} |");
        s.AppendLine($"| the same for empty programs alone on the same hooks, alternating runs (trampoline and statistics) | | {F(r.FloorNanosecondsPerEvent, "0")} ns | | | |");
        s.AppendLine($"| tcptop's own code: the difference | | {F(r.NanosecondsPerEvent - r.FloorNanosecondsPerEvent, "0")} ns | | | |");
        s.AppendLine($"| a scrape of {r.Scrape.Series} per-process series | | median {F(r.Scrape.MedianMilliseconds, "0.0")} ms, max {F(r.Scrape.MaxMilliseconds, "0.0")} ms | | under 50 ms | {Verdict(r.Scrape.MedianMilliseconds < 50)} |");
        s.AppendLine();
        s.AppendLine("Per program while iperf3 ran (BPF_ENABLE_STATS on for this part only; medians of the runs): " +
                     string.Join(", ", r.EventCosts.Select(c => $"{c.Program} {F(c.NanosecondsPerRun, "0")} ns x {c.Runs:N0}")) + ".");
        s.AppendLine();
        s.AppendLine("Rounds (without / with): " + string.Join("; ", r.Rounds.Select((x, i) =>
            $"{i + 1}: 64 B {F(x.Without.SmallWritesBitsPerSecond / 1e6, "0")}/{F(x.With.SmallWritesBitsPerSecond / 1e6, "0")} Mbit/s, " +
            $"128 KiB {F(x.Without.LargeWritesBitsPerSecond / 1e9, "0.00")}/{F(x.With.LargeWritesBitsPerSecond / 1e9, "0.00")} Gbit/s, " +
            $"p50 {F(x.Without.P50Microseconds, "0.0")}/{F(x.With.P50Microseconds, "0.0")} µs, " +
            $"bench process CPU {F(x.Without.BenchCpuMilliseconds, "0")}/{F(x.With.BenchCpuMilliseconds, "0")} ms")) + ".");
        return s.ToString();
    }
}
