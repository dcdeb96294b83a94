using System.Text.Json;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// examples/tcptop/grafana/tcptop.json read as Grafana would: every panel's query expressions, and its template
/// variables with their own queries.
/// </summary>
internal sealed class Dashboard
{
    public sealed record Query(string Panel, string Expr);

    public static string FilePath => Path.Combine(RepoPaths.Root, "examples", "tcptop", "grafana", "tcptop.json");

    public Dashboard()
    {
        Root = JsonDocument.Parse(File.ReadAllText(FilePath)).RootElement.Clone();
        foreach (var panel in AllPanels(Root.GetProperty("panels")))
            if (panel.TryGetProperty("targets", out var targets))
                foreach (var t in targets.EnumerateArray())
                    Queries.Add(new Query(panel.GetProperty("title").GetString()!, t.GetProperty("expr").GetString()!));
        if (Root.TryGetProperty("templating", out var templating))
            foreach (var v in templating.GetProperty("list").EnumerateArray())
                Variables.Add(v);
    }

    public JsonElement Root { get; }
    public List<Query> Queries { get; } = [];
    public List<JsonElement> Variables { get; } = [];

    private static IEnumerable<JsonElement> AllPanels(JsonElement panels)
    {
        foreach (var p in panels.EnumerateArray())
        {
            yield return p;
            if (p.TryGetProperty("panels", out var inner)) // collapsed rows hold their panels
                foreach (var q in AllPanels(inner))
                    yield return q;
        }
    }

    /// <summary>
    /// An expression as the test evaluates it: $__rate_interval and $__interval become 15s, and each template variable
    /// its value (.* for one that includes All, otherwise the first value its own query returns).
    /// </summary>
    public static string Expand(string expr, IReadOnlyDictionary<string, string> variables)
    {
        expr = expr.Replace("$__rate_interval", "15s").Replace("$__interval", "15s");
        foreach (var (name, value) in variables.OrderByDescending(v => v.Key.Length))
            expr = expr.Replace("${" + name + "}", value).Replace("$" + name, value);
        return expr;
    }
}
