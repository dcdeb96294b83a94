using System.Text.RegularExpressions;
using Ebpf.Generator.Parsing;
using Ebpf.Object;
using Ebpf.TestKit;

namespace Ebpf.Generator.Tests;

/// <summary>The generator's program and map tables agree with docs/skeleton-contract.md.</summary>
public partial class KindTablesTests
{
    private static string Contract => File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "skeleton-contract.md"));

    [Fact]
    public void ProgramClassesMatchTheContractTable()
    {
        var checkedTypes = 0;
        foreach (Match row in ProgramRow().Matches(Contract))
        {
            var classes = Regex.Matches(row.Groups["classes"].Value, "`(\\w+)`").Select(m => m.Groups[1].Value).ToList();
            var types = Regex.Matches(row.Groups["types"].Value, "\\b[A-Z][A-Z_]{2,}\\b").Select(m => m.Value).ToList();
            if (classes.Count == 1 && classes[0] == "BpfProgram")
                continue;
            if (types.Count == 0)
            {
                // "the cgroup kinds": each class is named after its type.
                foreach (var cls in classes)
                {
                    var type = Enum.Parse<ProgramType>(cls[..^"Program".Length]);
                    Assert.Equal(cls, ProgramKinds.ClassNameFor(type));
                    checkedTypes++;
                }
                continue;
            }
            foreach (var name in types)
            {
                var type = Enum.Parse<ProgramType>(name.Replace("_", ""), ignoreCase: true);
                Assert.Equal(classes[0], ProgramKinds.ClassNameFor(type));
                checkedTypes++;
            }
        }
        Assert.True(checkedTypes >= 16, $"only {checkedTypes} program types found in the contract table");
        Assert.Equal("RawTracepointProgram", ProgramKinds.ClassNameFor(ProgramType.RawTracepointWritable));
        Assert.Equal("BpfProgram", ProgramKinds.ClassNameFor(ProgramType.Lsm));
        Assert.Equal("BpfProgram", ProgramKinds.ClassNameFor(ProgramType.Unspec));
    }

    [Fact]
    public void EveryTypedMapViewIsOneTheContractDeclares()
    {
        var declared = Regex.Matches(Contract, "new (\\w+)(<[^>]*>)?\\(BpfMap map\\)")
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Count(c => c == ',') + (m.Groups[2].Success ? 1 : 0));
        foreach (var type in Enum.GetValues<MapType>())
        {
            var (cls, shape) = MapKinds.ViewFor(type);
            if (shape == MapViewShape.Plain)
            {
                Assert.Equal("BpfMap", cls);
                continue;
            }
            Assert.True(declared.ContainsKey(cls), $"{type} -> {cls}, which docs/skeleton-contract.md does not declare");
            var arity = shape switch { MapViewShape.NoTypes => 0, MapViewShape.KeyAndValue => 2, _ => 1 };
            Assert.Equal(declared[cls], arity);
        }
    }

    [GeneratedRegex(@"^\| (?<classes>`\w+`(?:, `\w+`)*) \| (?<types>[^|\n]*)", RegexOptions.Multiline)]
    private static partial Regex ProgramRow();
}
