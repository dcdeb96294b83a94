using System.Collections.Generic;
using Ebpf.Generator.Model;
using Ebpf.Object;

namespace Ebpf.Generator.Parsing
{
    /// <summary>Builds the <see cref="SkeletonModel"/> of one parsed object: names first, then types on demand.</summary>
    internal sealed class ModelBuilder
    {
        private readonly ObjectItem item;
        private readonly string objectName;
        private readonly string className;
        private readonly string ns;
        private readonly ObjectSpec spec;
        private readonly DiagnosticSink diagnostics;
        private readonly NameScope classScope;
        private readonly TypeTranslator? types;

        public ModelBuilder(ObjectItem item, string objectName, string className, string ns, ObjectSpec spec, DiagnosticSink diagnostics)
        {
            this.item = item;
            this.objectName = objectName;
            this.className = className;
            this.ns = ns;
            this.spec = spec;
            this.diagnostics = diagnostics;
            // The skeleton's own members come first so that nothing from the object can take their names.
            classScope = new NameScope(className, "ResourceName", "Open", "OpenFile", "OpenAndLoad", "Load", "Dispose", "Object", "Maps", "Programs");
            var prefix = (ns.Length == 0 ? "global::" + className : "global::" + ns + "." + className) + ".";
            if (spec.Btf is not null)
                types = new TypeTranslator(spec.Btf, prefix, classScope, diagnostics);
        }

        public SkeletonModel Build()
        {
            if (!spec.IsLittleEndian)
            {
                diagnostics.Add(Diagnostics.BigEndianObject, objectName);
                return Result("MapSet", "ProgramSet", new List<MapModel>(), new List<ProgramModel>(), new List<SectionModel>(), canGenerate: false);
            }
            if (spec.Btf is null)
                diagnostics.Add(Diagnostics.NoBtf, objectName);
            var mapSet = classScope.Take("MapSet", "MapSet");
            var programSet = classScope.Take("ProgramSet", "ProgramSet");
            var sectionNames = ReserveSections();
            var maps = BuildMaps(mapSet);
            var programs = BuildPrograms(programSet);
            var sections = BuildSections(sectionNames);
            // After maps and globals, so that naming a type in Types never changes the names the others get.
            new NamedTypes(spec.Btf, types, diagnostics).Build(item.Types);
            return Result(mapSet, programSet, maps, programs, sections, canGenerate: true);
        }

        private SkeletonModel Result(string mapSet, string programSet, List<MapModel> maps, List<ProgramModel> programs,
                                     List<SectionModel> sections, bool canGenerate) =>
            new SkeletonModel(ns, className, item.ResourceName, item.SourceFile, objectName, mapSet, programSet,
                              maps.ToEquatableArray(), programs.ToEquatableArray(), sections.ToEquatableArray(),
                              (types?.Types ?? new List<TypeModel>()).ToEquatableArray(), diagnostics.ToArray(), canGenerate);

        /// <summary>Data sections with global variables, and the (property, class) names they get.</summary>
        private List<(DataSectionSpec Section, string Property, string Class)> ReserveSections()
        {
            var result = new List<(DataSectionSpec, string, string)>();
            if (types is null)
                return result;
            foreach (var section in spec.DataSections)
            {
                var hasGlobals = false;
                foreach (var v in section.Variables)
                    hasGlobals |= v.IsGlobal;
                if (!hasGlobals)
                    continue; // e.g. .rodata.str1.1 (string literals) or only static variables: libbpf exposes nothing either
                var wanted = Identifiers.ToPascal(section.Name);
                var property = Take(classScope, wanted, "Section", "data section", section.Name);
                var cls = classScope.Take(property + "Section", "Section");
                result.Add((section, property, cls));
            }
            return result;
        }

        private List<MapModel> BuildMaps(string mapSetClass)
        {
            var scope = new NameScope(mapSetClass);
            var result = new List<MapModel>();
            foreach (var map in spec.Maps)
            {
                if (map.DataSection is not null)
                    continue; // exposed through the section properties instead
                var property = Take(scope, Identifiers.ToPascal(map.Name), "Map", "map", map.Name);
                var view = MapView(map, property);
                result.Add(new MapModel(property, map.Name, map.Type.ToString(), view ?? "global::" + MapViews.Namespace + ".BpfMap", view is null,
                                        map.KeySize, map.ValueSize, map.MaxEntries));
            }
            return result;
        }

        /// <summary>The typed view's type, or null for the plain BpfMap.</summary>
        private string? MapView(MapSpec map, string property)
        {
            var (cls, shape) = MapViews.For(map.Type);
            string? key = null, value = null, problem = null;
            switch (shape)
            {
                case MapViewShape.Plain:
                    return null;
                case MapViewShape.NoTypes:
                    return "global::" + MapViews.Namespace + "." + cls;
                case MapViewShape.KeyOnly:
                    key = KeyOrValue(map.KeyTypeId, map.KeySize, property + "Key", "key", out problem);
                    break;
                case MapViewShape.ValueOnly:
                    if (map.KeySize != 4)
                        problem = $"{cls} needs a 4-byte index key but the key is {map.KeySize} bytes";
                    else
                        value = KeyOrValue(map.ValueTypeId, map.ValueSize, property + "Value", "value", out problem);
                    break;
                case MapViewShape.KeyAndValue:
                    key = KeyOrValue(map.KeyTypeId, map.KeySize, property + "Key", "key", out problem);
                    if (problem is null)
                        value = KeyOrValue(map.ValueTypeId, map.ValueSize, property + "Value", "value", out problem);
                    break;
            }
            if (problem is not null)
            {
                diagnostics.Add(Diagnostics.UntypedMap, map.Name, problem);
                return null;
            }
            var args = key is not null && value is not null ? key + ", " + value : key ?? value;
            return "global::" + MapViews.Namespace + "." + cls + "<" + args + ">";
        }

        private string? KeyOrValue(uint typeId, uint size, string suggestedName, string what, out string? problem)
        {
            problem = null;
            string? reason;
            if (typeId == 0 || types is null)
            {
                var sized = types is null ? SizedWithoutBtf(size, out reason) : types.SizedRef(size, out reason);
                if (sized is null)
                    problem = $"its {what} has no type ({reason})";
                return sized;
            }
            var btfSize = types.SizeOf(typeId, out reason);
            if (btfSize is null)
            {
                problem = $"its {what} type has no size ({reason})";
                return null;
            }
            if (btfSize.Value != size)
            {
                problem = $"its {what} type is {btfSize.Value} bytes but the map declares {size}";
                return null;
            }
            var typeRef = types.TypeRef(typeId, suggestedName, null, out reason);
            if (typeRef is null)
                problem = $"its {what} type cannot be generated ({reason})";
            return typeRef;
        }

        /// <summary>Without BTF there is nowhere to put a generated byte-array type (no translator): primitives only.</summary>
        private static string? SizedWithoutBtf(uint size, out string? reason)
        {
            reason = null;
            switch (size)
            {
                case 1: return "byte";
                case 2: return "ushort";
                case 4: return "uint";
                case 8: return "ulong";
            }
            reason = $"a {size}-byte {(size == 0 ? "empty" : "opaque")} type needs BTF to be generated";
            return null;
        }

        private List<ProgramModel> BuildPrograms(string programSetClass)
        {
            var scope = new NameScope(programSetClass);
            var result = new List<ProgramModel>();
            foreach (var program in spec.Programs)
            {
                var property = Take(scope, Identifiers.ToPascal(program.Name), "Program", "program", program.Name);
                if (program.Type == ProgramType.Unspec)
                    diagnostics.Add(Diagnostics.UnknownProgramSection, program.Name, program.SectionName);
                result.Add(new ProgramModel(property, program.Name, program.SectionName, "global::" + ProgramClasses.FullNameFor(program.Type)));
            }
            return result;
        }

        private List<SectionModel> BuildSections(List<(DataSectionSpec Section, string Property, string Class)> sections)
        {
            var result = new List<SectionModel>();
            foreach (var (section, property, cls) in sections)
            {
                var scope = new NameScope(cls, "GlobalData");
                var variables = new List<VariableModel>();
                foreach (var v in section.Variables)
                {
                    if (!v.IsGlobal)
                        continue;
                    var what = $"Variable '{v.Name}' in {section.Name}";
                    var size = types!.SizeOf(v.TypeId, out var reason);
                    if (size is null || size.Value != v.Size)
                    {
                        diagnostics.Add(Diagnostics.UnsupportedType, what, reason ?? $"its type is {size} bytes but the section gives it {v.Size}");
                        continue;
                    }
                    var wanted = Identifiers.ToPascal(v.Name);
                    var typeRef = types.TypeRef(v.TypeId, wanted, null, out reason);
                    if (typeRef is null)
                    {
                        diagnostics.Add(Diagnostics.UnsupportedType, what, reason!);
                        continue;
                    }
                    var name = Take(scope, wanted, "Variable", "variable", v.Name);
                    variables.Add(new VariableModel(name, v.Name, typeRef, v.Offset, v.Size, v.IsConst));
                }
                result.Add(new SectionModel(property, cls, section.Name, section.Size, section.Kind == DataSectionKind.ReadOnly,
                                            variables.ToEquatableArray()));
            }
            return result;
        }

        private string Take(NameScope scope, string wanted, string fallback, string what, string raw)
        {
            var name = scope.Take(wanted, fallback, out var renamed);
            if (renamed && raw.Length > 0)
                diagnostics.Add(Diagnostics.IdentifierRenamed, what, raw, name, wanted.Length > 0 ? wanted : raw);
            return name;
        }
    }
}
