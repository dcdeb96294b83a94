using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Text;
using Ebpf.Btf;
using Ebpf.Generator.Emitting;
using Ebpf.Generator.Model;
using Ebpf.Generator.Tests.Harness;
using Ebpf.Object;
using Ebpf.TestKit;

namespace Ebpf.Generator.Tests;

/// <summary>
/// The generated structs have C's layout: every type's size and every field's offset, read from the compiled
/// and loaded types (Unsafe.SizeOf, Marshal.OffsetOf), equal BTF's values and what gcc says for the same
/// declarations (tests/bpf/gen_types.h, compiled on the host); bitfields written through the generated
/// properties give the same bytes as gcc's bitfield stores.
/// </summary>
public class LayoutTests
{
    public static TheoryData<string> Objects => new() { "gen_maps.bpf.c", "gen_globals.bpf.c" };

    [Theory]
    [MemberData(nameof(Objects))]
    public void GeneratedTypesHaveTheLayoutOfBtfAndOfTheCCompiler(string cFile)
    {
        var input = ObjectInput.ForTestObject(cFile);
        var model = Models.Parse(input);
        Assert.True(model.CanGenerate);
        var btf = ObjectSpec.Parse(TestObjects.Bytes(cFile)).Btf!;
        var oracle = CLayout.Measure(model);

        var context = new AssemblyLoadContext("layout-" + cFile, isCollectible: true);
        try
        {
            var assembly = TestCompiler.Load(TestCompiler.Create("Layout", withRuntime: false, SkeletonEmitter.EmitTypesOnly(model)), context);
            var checkedAgainstC = 0;
            foreach (var type in model.Types)
            {
                var clr = assembly.GetType($"{model.Namespace}.{model.ClassName}+{type.Name}", throwOnError: true)!;
                var size = SizeOf(clr);
                Assert.True(type.Size == size, $"{type.Name}: model size {type.Size}, CLR size {size}");
                CheckAgainstBtf(btf, type, clr);
                if (type.CType is null)
                    continue;
                checkedAgainstC++;
                Assert.True(oracle.Sizes[type.Name] == size, $"{type.Name} ({type.CType}): gcc sizeof {oracle.Sizes[type.Name]}, CLR {size}");
                foreach (var field in type.Fields.Where(f => f.Kind == FieldModelKind.Plain && f.CName.Length > 0))
                {
                    var offset = (long)Marshal.OffsetOf(clr, field.Name);
                    Assert.True(oracle.Offsets[$"{type.Name}.{field.Name}"] == offset,
                                $"{type.Name}.{field.Name}: gcc offsetof {oracle.Offsets[$"{type.Name}.{field.Name}"]}, CLR {offset}");
                }
                foreach (var field in type.Fields.Where(f => f.Kind == FieldModelKind.Lifted && f.Bits == 0))
                    Assert.True(oracle.Offsets[$"{type.Name}.{field.Name}"] == field.Offset,
                                $"{type.Name}.{field.Name} (lifted): gcc offsetof {oracle.Offsets[$"{type.Name}.{field.Name}"]}, model {field.Offset}");
                if (CLayout.Assigned(type).Any())
                    CheckAssignments(type, clr, oracle.Bitfields[type.Name]);
            }
            // Most types of these objects are nameable in C; a regression that loses C spellings must not pass quietly.
            Assert.True(checkedAgainstC >= 10, $"only {checkedAgainstC} types were compared with gcc");
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>Sizes and member offsets straight from the object's BTF (not from the model) for named types.</summary>
    internal static void CheckAgainstBtf(BtfSpec btf, TypeModel type, Type clr)
    {
        if (type.CType is null || type.Kind is TypeModelKind.InlineArray)
            return;
        var parts = type.CType.Split(' ');
        if (parts.Length != 2)
            return;
        if (type.Kind == TypeModelKind.Enum)
        {
            Assert.Equal((int)btf.Find<BtfEnum>(parts[1])!.Size, SizeOf(clr));
            return;
        }
        var composite = btf.FindByName(parts[1]).OfType<BtfComposite>().Single();
        Assert.Equal((int)composite.Size, SizeOf(clr));
        foreach (var field in type.Fields.Where(f => f.Kind == FieldModelKind.Plain && f.CName.Length > 0))
        {
            var member = composite.Members.Single(m => m.Name == field.CName);
            Assert.Equal((long)member.BitOffset / 8, (long)Marshal.OffsetOf(clr, field.Name));
        }
    }

    /// <summary>Sets every bitfield and every lifted integer member (in declaration order) on a zeroed value and
    /// compares the bytes with gcc's, then reads each back through its getter.</summary>
    private static void CheckAssignments(TypeModel type, Type clr, string cBytes)
    {
        var boxed = Activator.CreateInstance(clr)!;
        var bitfields = CLayout.Assigned(type).ToList();
        foreach (var f in bitfields)
            clr.GetProperty(f.Name)!.SetValue(boxed, ToClr(CLayout.TestValue(f), clr.GetProperty(f.Name)!.PropertyType));
        var bytes = Convert.ToHexString(BytesOf(boxed, clr)).ToLowerInvariant();
        Assert.True(cBytes == bytes, $"{type.Name} after setting its bitfields:\n  gcc {cBytes}\n  C#  {bytes}");
        // Read back what later writes left intact: in a union a later member overwrites an earlier one's bytes
        // (bitfields sharing storage do not clobber each other).
        bool Overwritten(FieldModel f) => bitfields.Skip(bitfields.IndexOf(f) + 1)
            .Any(g => g.Offset < f.Offset + f.Size && f.Offset < g.Offset + g.Size && !(f.Bits > 0 && g.Bits > 0));
        foreach (var f in bitfields.Where(f => !Overwritten(f)))
        {
            var expected = ToClr(CLayout.TestValue(f), clr.GetProperty(f.Name)!.PropertyType);
            Assert.Equal(expected, clr.GetProperty(f.Name)!.GetValue(boxed));
        }
    }

    private static object ToClr(long value, Type type)
    {
        if (type == typeof(bool))
            return value != 0;
        if (type.IsEnum)
            return Enum.ToObject(type, value);
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Byte => unchecked((byte)value),
            TypeCode.SByte => unchecked((sbyte)value),
            TypeCode.UInt16 => unchecked((ushort)value),
            TypeCode.Int16 => unchecked((short)value),
            TypeCode.UInt32 => unchecked((uint)value),
            TypeCode.Int32 => unchecked((int)value),
            TypeCode.UInt64 => unchecked((ulong)value),
            TypeCode.Int64 => value,
            _ => throw new InvalidOperationException($"unexpected bitfield type {type}"),
        };
    }

    internal static int SizeOf(Type t) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!;

    private static byte[] BytesOf(object boxed, Type t) =>
        (byte[])typeof(LayoutTests).GetMethod(nameof(Bytes), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(t).Invoke(null, new[] { boxed })!;

    private static byte[] Bytes<T>(T value) where T : struct => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(ref value)).ToArray();
}

/// <summary>What gcc says about the model's C types: a C program generated from the model, compiled and run.</summary>
internal sealed record CLayout(Dictionary<string, long> Sizes, Dictionary<string, long> Offsets, Dictionary<string, string> Bitfields)
{
    private static readonly string[] signedInts = ["sbyte", "short", "int", "long"];
    private static readonly string[] unsignedInts = ["byte", "ushort", "uint", "ulong"];

    /// <summary>Members the test assigns: bitfields, and lifted members that are bitfields or plain integers.</summary>
    public static IEnumerable<FieldModel> Assigned(TypeModel type) =>
        type.Fields.Where(f => f.Kind == FieldModelKind.Bitfield ||
                               (f.Kind == FieldModelKind.Lifted && (f.Bits > 0 || signedInts.Contains(f.Type) || unsignedInts.Contains(f.Type))));

    /// <summary>The value the test stores: alternating bits, or -2 / -1 for signed ones, 1 for bools.</summary>
    public static long TestValue(FieldModel f)
    {
        var bits = f.Bits > 0 ? f.Bits : f.Size * 8;
        var mask = bits >= 64 ? -1L : (1L << (int)bits) - 1;
        var signed = f.Bits > 0 ? f.ValueKind is BitfieldValueKind.Signed or BitfieldValueKind.SignedEnum : signedInts.Contains(f.Type);
        if (f.Bits > 0 && f.ValueKind == BitfieldValueKind.Bool)
            return 1;
        return signed ? (bits >= 2 ? -2 : -1) : unchecked((long)0x5555555555555555UL) & mask;
    }

    public static CLayout Measure(SkeletonModel model)
    {
        var c = new StringBuilder();
        c.AppendLine("#include <stdio.h>\n#include <stddef.h>\n#include <string.h>\n#include \"gen_types.h\"");
        c.AppendLine("static void dump(const char *name, const void *p, size_t n) { printf(\"bytes %s \", name); for (size_t i = 0; i < n; i++) printf(\"%02x\", ((const unsigned char *)p)[i]); printf(\"\\n\"); }");
        c.AppendLine("int main(void) {");
        foreach (var type in model.Types.Where(t => t.CType is not null))
        {
            c.AppendLine($"  printf(\"size {type.Name} %zu\\n\", sizeof({type.CType}));");
            foreach (var f in type.Fields.Where(f => (f.Kind == FieldModelKind.Plain || (f.Kind == FieldModelKind.Lifted && f.Bits == 0)) && f.CName.Length > 0))
                c.AppendLine($"  printf(\"offset {type.Name}.{f.Name} %zu\\n\", offsetof({type.CType}, {f.CName}));");
            var bitfields = Assigned(type).ToList();
            if (bitfields.Count > 0)
            {
                c.AppendLine($"  {{ {type.CType} v; memset(&v, 0, sizeof v);");
                foreach (var f in bitfields)
                    c.AppendLine($"    v.{f.CName} = {TestValue(f).ToString(CultureInfo.InvariantCulture)}LL;");
                c.AppendLine($"    dump(\"{type.Name}\", &v, sizeof v); }}");
            }
        }
        c.AppendLine("  return 0;\n}");

        var dir = Directory.CreateTempSubdirectory("ebpf-layout-");
        try
        {
            var src = Path.Combine(dir.FullName, "layout.c");
            var exe = Path.Combine(dir.FullName, "layout");
            File.WriteAllText(src, c.ToString());
            HostCommand.Run("cc", ["-std=gnu11", "-Wall", "-Werror", "-Wno-overflow", "-I", RepoPaths.TestBpfSources, "-o", exe, src]).EnsureSuccess();
            var output = HostCommand.Run(exe, []).EnsureSuccess();
            var layout = new CLayout(new(), new(), new());
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = line.Split(' ');
                switch (parts[0])
                {
                    case "size": layout.Sizes[parts[1]] = long.Parse(parts[2], CultureInfo.InvariantCulture); break;
                    case "offset": layout.Offsets[parts[1]] = long.Parse(parts[2], CultureInfo.InvariantCulture); break;
                    case "bytes": layout.Bitfields[parts[1]] = parts[2]; break;
                }
            }
            return layout;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
