using System;
using System.Collections.Generic;
using Ebpf.Btf;
using Ebpf.Object.Elf;

namespace Ebpf.Object.Linking
{
    /// <summary>
    /// Turns the functions of the executable sections into loadable programs: each program's instructions
    /// are its own function followed by every function it calls or takes the address of, transitively
    /// (libbpf's bpf_object__reloc_code), with bpf-to-bpf call offsets rewritten for that layout, the
    /// relocations that the loader must resolve turned into <see cref="InstructionReference"/>s, and the
    /// .BTF.ext records carried over to the new instruction positions.
    /// </summary>
    internal sealed class ProgramLinker
    {
        private readonly ElfFile elf;
        private readonly bool le;
        private readonly BtfSpec? btf;
        private readonly BtfExt? ext;
        private readonly int mapsSection;
        private readonly Dictionary<ulong, string> mapsByOffset;
        private readonly Dictionary<int, string> dataSections;     // ELF section index → data map name
        private readonly Dictionary<string, uint> kconfigOffsets;  // .kconfig extern → offset in the .kconfig map value
        private readonly Dictionary<int, List<Function>> functions = new Dictionary<int, List<Function>>();
        private readonly Dictionary<(int Section, long Start), Function> functionsByStart = new Dictionary<(int, long), Function>();
        private readonly Dictionary<int, Dictionary<int, ElfRelocation>> relocations = new Dictionary<int, Dictionary<int, ElfRelocation>>();

        public ProgramLinker(ElfFile elf, BtfSpec? btf, BtfExt? ext, int mapsSection, Dictionary<ulong, string> mapsByOffset,
                             Dictionary<int, string> dataSections, Dictionary<string, uint> kconfigOffsets)
        {
            this.kconfigOffsets = kconfigOffsets;
            this.elf = elf;
            le = elf.IsLittleEndian;
            this.btf = btf;
            this.ext = ext;
            this.mapsSection = mapsSection;
            this.mapsByOffset = mapsByOffset;
            this.dataSections = dataSections;
            CollectFunctions();
            CollectRelocations();
        }

        /// <summary>A FUNC symbol: <see cref="Start"/> and <see cref="Count"/> in instructions within its section.</summary>
        private sealed class Function
        {
            public Function(ElfSymbol symbol, ElfSection section, int start, int count)
            {
                Symbol = symbol;
                Section = section;
                Start = start;
                Count = count;
            }

            public ElfSymbol Symbol { get; }
            public ElfSection Section { get; }
            public int Start { get; }
            public int Count { get; }
            public bool IsProgram => Section.Name != ".text" && Symbol.Binding != ElfSymbolBinding.Local;
        }

        /// <summary>Where an instruction is, for error messages; formatted only when one is thrown.</summary>
        private readonly struct Site
        {
            private readonly Function main;
            private readonly Function function;
            private readonly int index;

            public Site(Function main, Function function, int index)
            {
                this.main = main;
                this.function = function;
                this.index = index;
            }

            public override string ToString() =>
                $"program '{main.Symbol.Name}': instruction {function.Start + index} of '{function.Section.Name}' (in '{function.Symbol.Name}')";
        }

        /// <summary>The names of the functions that become programs.</summary>
        public ISet<string> ProgramNames()
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in ProgramFunctions())
                names.Add(f.Symbol.Name);
            return names;
        }

        private IEnumerable<Function> ProgramFunctions()
        {
            foreach (var s in elf.Sections)
                if (functions.TryGetValue(s.Index, out var list))
                    foreach (var f in list)
                        if (f.IsProgram)
                            yield return f;
        }

        public List<ProgramSpec> Link(string license, uint kernelVersion)
        {
            var programs = new List<ProgramSpec>();
            foreach (var f in ProgramFunctions())
                programs.Add(LinkProgram(f, license, kernelVersion));
            return programs;
        }

        private void CollectFunctions()
        {
            foreach (var s in elf.Sections)
            {
                if (!s.IsExecutable || s.Size == 0)
                    continue;
                if (s.Size % Instruction.Size != 0)
                    throw new ObjectFormatException($"executable section '{s.Name}' is {s.Size} bytes, not a whole number of 8-byte instructions");
                var list = new List<Function>();
                foreach (var sym in elf.SymbolsIn(s.Index))
                {
                    if (sym.Type != ElfSymbolType.Func)
                        continue;
                    if (sym.Value % Instruction.Size != 0 || sym.Size % Instruction.Size != 0)
                        throw new ObjectFormatException($"function '{sym.Name}' in section '{s.Name}': offset {sym.Value} or size {sym.Size} is not a multiple of 8");
                    if (sym.Value > s.Size || sym.Size > s.Size - sym.Value)
                        throw new ObjectFormatException($"function '{sym.Name}' in section '{s.Name}': [{sym.Value}, +{sym.Size}) crosses the end of the {s.Size}-byte section");
                    if (sym.Size == 0)
                        throw new ObjectFormatException($"function '{sym.Name}' in section '{s.Name}' has size 0");
                    list.Add(new Function(sym, s, (int)(sym.Value / Instruction.Size), (int)(sym.Size / Instruction.Size)));
                }
                list.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.Symbol.Index.CompareTo(b.Symbol.Index));
                functions.Add(s.Index, list);
                foreach (var f in list)
                    if (!functionsByStart.ContainsKey((s.Index, f.Start)))
                        functionsByStart.Add((s.Index, f.Start), f);
            }
        }

        private void CollectRelocations()
        {
            foreach (var rel in elf.Sections)
            {
                if (rel.Type is not (ElfSectionType.Rel or ElfSectionType.Rela))
                    continue;
                if (rel.Info >= (uint)elf.Sections.Count)
                    throw new ObjectFormatException($"relocation section '{rel.Name}' applies to section {rel.Info}, which does not exist");
                var target = elf.Sections[(int)rel.Info];
                if (!target.IsExecutable)
                    continue; // relocations of .BTF, .BTF.ext, DWARF and data: not needed to load
                if (!relocations.TryGetValue(target.Index, out var byInsn))
                    relocations.Add(target.Index, byInsn = new Dictionary<int, ElfRelocation>());
                foreach (var r in elf.ReadRelocations(rel))
                {
                    if (r.Offset % Instruction.Size != 0 || r.Offset >= target.Size)
                        throw new ObjectFormatException($"relocation section '{rel.Name}': offset {r.Offset} is not an instruction of the {target.Size}-byte section '{target.Name}'");
                    var index = (int)(r.Offset / Instruction.Size);
                    if (byInsn.ContainsKey(index))
                        throw new ObjectFormatException($"relocation section '{rel.Name}': two relocations for instruction {index} of '{target.Name}'");
                    byInsn.Add(index, r);
                }
            }
        }

        private ProgramSpec LinkProgram(Function main, string license, uint kernelVersion)
        {
            var layout = new List<Function> { main };
            var newStart = new Dictionary<Function, int> { [main] = 0 };
            var total = main.Count;
            linkedTotal += main.Count;
            if (linkedTotal > MaxTotalInstructions)
                throw new ObjectFormatException($"the object's programs link to more than {MaxTotalInstructions} instructions in total");
            var references = new List<InstructionReference>();
            var patches = new List<(int Index, Function Target)>();
            var pseudoFuncs = new List<int>();

            // Each function enters the layout once, so the loop runs at most (number of functions) times.
            for (var li = 0; li < layout.Count; li++)
            {
                var f = layout[li];
                var code = elf.SectionData(f.Section).Slice(f.Start * Instruction.Size, f.Count * Instruction.Size).ToArray();
                relocations.TryGetValue(f.Section.Index, out var relocs);
                for (var j = 0; j < f.Count; j++)
                {
                    var op = Instruction.Code(code, j);
                    ElfRelocation rel = default;
                    var hasRel = relocs is not null && relocs.TryGetValue(f.Start + j, out rel);
                    var at = newStart[f] + j;
                    var where = new Site(main, f, j);
                    if (hasRel)
                        CheckRelocationType(rel, op, where);
                    if (op == Instruction.OpCall)
                    {
                        var src = Instruction.SrcReg(code, j, le);
                        var imm = Instruction.Imm(code, j, le);
                        if (hasRel)
                        {
                            var sym = elf.Symbols[rel.Symbol];
                            if (sym.IsExtern)
                            {
                                references.Add(new InstructionReference(at, ReferenceKind.Kfunc, sym.Name, 0, sym.Binding == ElfSymbolBinding.Weak));
                                continue;
                            }
                            if (src != Instruction.PseudoCall)
                                throw new ObjectFormatException($"{where}: relocation against '{sym.Name}' on a call that is not a bpf-to-bpf call (src_reg {src})");
                            // Calls to global functions carry imm = -1 and the symbol's offset; calls to static
                            // ones are made against the section symbol with imm = target - 1 (in instructions).
                            var target = FindTarget(sym, (long)(sym.Value / Instruction.Size) + imm + 1, where);
                            patches.Add((at, Enter(target, layout, newStart, ref total)));
                        }
                        else if (src == Instruction.PseudoCall)
                        {
                            // A call within the same section needs no relocation: imm is already relative.
                            var target = FindFunction(f.Section, (long)f.Start + j + imm + 1, where);
                            patches.Add((at, Enter(target, layout, newStart, ref total)));
                        }
                        continue;
                    }
                    if (op == Instruction.OpLdImm64)
                    {
                        if (j + 1 >= f.Count)
                            throw new ObjectFormatException($"{where}: ld_imm64 is the last instruction of its function (it needs two slots)");
                        var src = Instruction.SrcReg(code, j, le);
                        var sym = hasRel ? elf.Symbols[rel.Symbol] : null;
                        // The address of a function (a callback for bpf_loop, bpf_for_each_map_elem, timers):
                        // clang emits a plain ld_imm64 relocated against the function or its section; like
                        // libbpf, mark it BPF_PSEUDO_FUNC and point it at the function in the linked layout.
                        if (src == Instruction.PseudoFunc || sym is not null && IsCode(sym))
                        {
                            if (sym is null)
                                throw new ObjectFormatException($"{where}: ld_imm64 of a function address without a relocation");
                            var imm = Instruction.Imm(code, j, le);
                            if (imm % Instruction.Size != 0)
                                throw new ObjectFormatException($"{where}: function address offset {imm} is not a multiple of 8");
                            var target = FindTarget(sym, ((long)sym.Value + imm) / Instruction.Size, where);
                            patches.Add((at, Enter(target, layout, newStart, ref total)));
                            pseudoFuncs.Add(at);
                        }
                        else if (sym is not null)
                        {
                            references.Add(DataReference(sym, Instruction.Imm(code, j, le), at, where));
                        }
                        j++; // the second half of ld_imm64
                        continue;
                    }
                    if (hasRel)
                        throw new ObjectFormatException($"{where}: relocation against '{elf.Symbols[rel.Symbol].Name}' on instruction code 0x{op:x2}, which is neither a call nor ld_imm64");
                }
            }

            var insns = new byte[(long)total * Instruction.Size];
            foreach (var f in layout)
                elf.SectionData(f.Section).Slice(f.Start * Instruction.Size, f.Count * Instruction.Size).CopyTo(insns.AsSpan(newStart[f] * Instruction.Size));
            foreach (var (index, target) in patches)
                Instruction.SetImm(insns, index, newStart[target] - index - 1, le);
            foreach (var index in pseudoFuncs)
                Instruction.SetSrcReg(insns, index, Instruction.PseudoFunc, le);

            var info = SectionNames.Lookup(main.Section.Name);
            var sectionName = main.Section.Name.StartsWith("?", StringComparison.Ordinal) ? main.Section.Name.Substring(1) : main.Section.Name;
            return new ProgramSpec(main.Symbol.Name, sectionName, info?.Type ?? ProgramType.Unspec, info?.ExpectedAttachType ?? 0,
                                   info?.AttachType ?? 0, info?.AttachTarget, info?.Sleepable ?? false, license, kernelVersion, insns,
                                   references, FuncInfos(layout, newStart), LineInfos(layout, newStart), CoreRelocations(layout, newStart))
            {
                XdpFrags = info?.XdpFrags ?? false,
                HasAttachType = info?.HasAttachType ?? false,
                AutoLoad = !main.Section.Name.StartsWith("?", StringComparison.Ordinal),
            };
        }

        /// <summary>The kernel's limit on a program's length (BPF_COMPLEXITY_LIMIT_INSNS); nothing larger can load.</summary>
        private const int MaxProgramInstructions = 1_000_000;

        /// <summary>Bound on all programs together: each program gets its own copy of the subprograms it calls, so
        /// a crafted object could otherwise make the reader produce gigabytes from a small file.</summary>
        private const long MaxTotalInstructions = 8_000_000;

        private long linkedTotal;

        private Function Enter(Function target, List<Function> layout, Dictionary<Function, int> newStart, ref int total)
        {
            if (!newStart.ContainsKey(target))
            {
                if ((long)total + target.Count > MaxProgramInstructions)
                    throw new ObjectFormatException($"program '{layout[0].Symbol.Name}' links to more than {MaxProgramInstructions} instructions (the kernel's limit) with '{target.Symbol.Name}'");
                linkedTotal += target.Count;
                if (linkedTotal > MaxTotalInstructions)
                    throw new ObjectFormatException($"the object's programs link to more than {MaxTotalInstructions} instructions in total");
                newStart.Add(target, total);
                layout.Add(target);
                total += target.Count;
            }
            return target;
        }

        /// <summary>clang relocates ld_imm64 with R_BPF_64_64 and calls with R_BPF_64_32; anything else on code is foreign.</summary>
        private static void CheckRelocationType(ElfRelocation rel, byte op, Site where)
        {
            var expected = op == Instruction.OpCall ? ElfRelocation.Bpf64_32 : op == Instruction.OpLdImm64 ? ElfRelocation.Bpf64_64 : rel.Type;
            if (rel.Type != expected)
                throw new ObjectFormatException($"{where}: relocation type {rel.Type} on instruction code 0x{op:x2} (expected {(op == Instruction.OpCall ? "R_BPF_64_32 (10)" : "R_BPF_64_64 (1)")})");
        }

        private bool IsCode(ElfSymbol sym) =>
            sym.Type is ElfSymbolType.Func or ElfSymbolType.Section && sym.SectionIndex != 0 && sym.SectionIndex < elf.Sections.Count
            && elf.Sections[sym.SectionIndex].IsExecutable;

        private Function FindTarget(ElfSymbol sym, long instruction, Site where)
        {
            if (sym.SectionIndex == 0 || sym.SectionIndex >= elf.Sections.Count || !elf.Sections[sym.SectionIndex].IsExecutable)
                throw new ObjectFormatException($"{where}: call or function address against '{sym.Name}', which is not in an executable section");
            return FindFunction(elf.Sections[sym.SectionIndex], instruction, where);
        }

        private Function FindFunction(ElfSection section, long instruction, Site where)
        {
            if (functionsByStart.TryGetValue((section.Index, instruction), out var f))
                return f;
            throw new ObjectFormatException($"{where}: the call target, instruction {instruction} of '{section.Name}', is not the start of a function");
        }

        private InstructionReference DataReference(ElfSymbol sym, int imm, int at, Site where)
        {
            if (sym.IsExtern)
                return new InstructionReference(at, ReferenceKind.Extern, sym.Name,
                                                kconfigOffsets.TryGetValue(sym.Name, out var kconfig) ? kconfig : 0,
                                                sym.Binding == ElfSymbolBinding.Weak);
            if (sym.SectionIndex == ElfSymbol.ShnCommon)
                throw new ObjectFormatException($"{where}: '{sym.Name}' is a COMMON symbol (an uninitialised global without a section); compile with -fno-common or initialise it");
            if (sym.SectionIndex == 0 || sym.SectionIndex >= ElfSymbol.ShnLoReserve)
                throw new ObjectFormatException($"{where}: ld_imm64 relocation against '{sym.Name}' in special section 0x{sym.SectionIndex:x}");
            if (sym.SectionIndex == mapsSection)
            {
                if (!mapsByOffset.TryGetValue(sym.Value, out var map))
                    throw new ObjectFormatException($"{where}: no map at offset {sym.Value} of '.maps' (relocation against '{sym.Name}')");
                return new InstructionReference(at, ReferenceKind.Map, map, 0);
            }
            if (dataSections.TryGetValue(sym.SectionIndex, out var data))
            {
                var offset = (long)sym.Value + imm;
                if (offset < 0 || offset > uint.MaxValue)
                    throw new ObjectFormatException($"{where}: global data offset {offset} in '{data}' is out of range");
                return new InstructionReference(at, ReferenceKind.MapValue, data, (uint)offset);
            }
            var section = elf.Sections[sym.SectionIndex];
            throw new ObjectFormatException($"{where}: ld_imm64 relocation against '{sym.Name}' in section '{section.Name}', which is neither '.maps' nor a data section (.data*, .rodata*, .bss*)");
        }

        private List<FuncInfo> FuncInfos(List<Function> layout, Dictionary<Function, int> newStart)
        {
            var result = new List<FuncInfo>();
            if (ext is null)
                return result;
            foreach (var f in layout)
                if (ext.FuncInfos.TryGetValue(f.Section.Name, out var records))
                    foreach (var r in BtfExt.InRange(records, (ulong)f.Start * Instruction.Size, (ulong)(f.Start + f.Count) * Instruction.Size))
                        if (Rebase(f, newStart, r.A) is { } index)
                        {
                            CheckType(r.B, $".BTF.ext func_info of '{f.Section.Name}'");
                            result.Add(new FuncInfo(index, r.B));
                        }
            return result;
        }

        private List<LineInfo> LineInfos(List<Function> layout, Dictionary<Function, int> newStart)
        {
            var result = new List<LineInfo>();
            if (ext is null)
                return result;
            foreach (var f in layout)
                if (ext.LineInfos.TryGetValue(f.Section.Name, out var records))
                    foreach (var r in BtfExt.InRange(records, (ulong)f.Start * Instruction.Size, (ulong)(f.Start + f.Count) * Instruction.Size))
                        if (Rebase(f, newStart, r.A) is { } index)
                            result.Add(new LineInfo(index, r.B, r.C, r.D));
            return result;
        }

        private List<CoreRelocation> CoreRelocations(List<Function> layout, Dictionary<Function, int> newStart)
        {
            var result = new List<CoreRelocation>();
            if (ext is null)
                return result;
            foreach (var f in layout)
                if (ext.CoreRelocations.TryGetValue(f.Section.Name, out var records))
                    foreach (var r in BtfExt.InRange(records, (ulong)f.Start * Instruction.Size, (ulong)(f.Start + f.Count) * Instruction.Size))
                        if (Rebase(f, newStart, r.A) is { } index)
                        {
                            var what = $".BTF.ext core_relo of '{f.Section.Name}' at byte {r.A}";
                            CheckType(r.B, what);
                            if (r.D > (uint)CoreRelocationKind.TypeMatches)
                                throw new ObjectFormatException($"{what}: unknown relocation kind {r.D}");
                            string access;
                            try { access = btf!.GetString(r.C); }
                            catch (ObjectFormatException e) { throw new ObjectFormatException($"{what}: access string: {e.Message}"); }
                            result.Add(new CoreRelocation(index, r.B, access, (CoreRelocationKind)r.D));
                        }
            return result;
        }

        private void CheckType(uint id, string what)
        {
            if (btf is null || !btf.Contains(id))
                throw new ObjectFormatException($"{what}: type id {id} is not in the object's BTF");
        }

        /// <summary>The linked instruction index of a byte offset in <paramref name="f"/>'s section, or null when outside f.</summary>
        private static uint? Rebase(Function f, Dictionary<Function, int> newStart, uint byteOffset)
        {
            var insn = byteOffset / Instruction.Size;
            if (insn < (uint)f.Start || insn >= (uint)(f.Start + f.Count))
                return null;
            return (uint)(newStart[f] + (insn - f.Start));
        }
    }
}
