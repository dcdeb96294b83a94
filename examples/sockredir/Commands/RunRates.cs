using System.Globalization;
using Ebpf.Examples.Sockredir.Redirector;
using Spectre.Console;
using Spectre.Console.Rendering;
using static Ebpf.Examples.Sockredir.SockredirSkel.SpliceStat;

namespace Ebpf.Examples.Sockredir.Commands;

/// <summary>
/// One row of `run`'s per-second figures: rates since the previous reading, over the time that passed (a partial row
/// at stop covers less than a second and says so). Printed as a log line when stdout is not a terminal, as a row of
/// a live Spectre.Console table when it is. Passed to TCP, by reason: "no peer" (remote, outside the cgroup),
/// "after TCP" (the socket already sent through TCP, or was demoted for small writes: it stays on TCP to keep bytes
/// in order), "other" (other family, size limit).
/// </summary>
internal sealed record RunRates(DateTime Time, int Sockets, RedirectorStats Delta, double Seconds, bool Partial)
{
    private static readonly string[] Header =
        ["time", "sockets", "msg/s", "MB/s", "no peer", "after TCP", "other", "demoted", "pulled/s"];

    /// <summary>The two header lines of the log form.</summary>
    public static readonly string[] LogHeader =
    [
        "                    redirected            passed to TCP, msg/s",
        "    time  sockets       msg/s      MB/s    no peer  after TCP    other  demoted  pulled/s",
    ];

    private double Rate(ulong v) => v / Math.Max(Seconds, 1e-3);

    private string[] Cells() =>
    [
        Time.ToString("HH:mm:ss", CultureInfo.InvariantCulture), Num(Sockets), Num(Rate(Delta[StatRedirectedMsgs])),
        (Rate(Delta[StatRedirectedBytes]) / 1e6).ToString("0.0", CultureInfo.InvariantCulture),
        Num(Rate(Delta[StatPassedNoPeer])), Num(Rate(Delta[StatPassedTcpBound])),
        Num(Rate(Delta[StatPassedFamily] + Delta[StatPassedLarge] + Delta[StatNoState])), Num(Delta[StatDemoted]), Num(Rate(Delta[StatPassPulled])),
    ];

    /// <summary>The log form: fixed-width columns under <see cref="LogHeader"/>.</summary>
    public string Line()
    {
        var c = Cells();
        return $"{c[0]}  {c[1],7}  {c[2],10}  {c[3],8}  {c[4],9}  {c[5],9}  {c[6],7}  {c[7],7}  {c[8],8}" +
               (Partial ? string.Create(CultureInfo.InvariantCulture, $"  (last {Seconds:0.00} s, until stop)") : "");
    }

    /// <summary>The live view: the latest rows, newest last.</summary>
    public static IRenderable Table(string cgroup, IEnumerable<RunRates> rows)
    {
        var table = new Table().Border(TableBorder.Simple).Title(Markup.Escape($"sockredir on {cgroup}, per second"))
            .Caption("msg/s, MB/s: redirected; no peer, after TCP, other: passed to TCP, msg/s").AddColumn(Header[0]);
        foreach (var h in Header.Skip(1))
            table.AddColumn(Terminal.Figure(h));
        foreach (var r in rows)
            table.AddRow(r.Cells());
        return table;
    }

    /// <summary>Every counter since the start, one row each, as plain integers a script can read back.</summary>
    public static IRenderable Totals(RedirectorStats totals)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumn("counter").AddColumn(Terminal.Figure("total"));
        foreach (var (name, value) in totals.Named())
            table.AddRow(name, Num(value));
        return table;
    }

    private static string Num(double v) => v.ToString("0", CultureInfo.InvariantCulture);
}
