namespace Ebpf.Object.Elf
{
    internal enum ElfSectionType : uint
    {
        Null = 0,
        ProgBits = 1,
        SymTab = 2,
        StrTab = 3,
        Rela = 4,
        NoBits = 8,
        Rel = 9,
    }

    internal enum ElfSymbolBinding : byte
    {
        Local = 0,
        Global = 1,
        Weak = 2,
    }

    internal enum ElfSymbolType : byte
    {
        NoType = 0,
        Object = 1,
        Func = 2,
        Section = 3,
        File = 4,
    }

    internal sealed class ElfSection
    {
        public const ulong FlagWrite = 1, FlagAlloc = 2, FlagExec = 4;

        public ElfSection(int index, string name, ElfSectionType type, ulong flags, ulong offset, ulong size, uint link, uint info, ulong entSize)
        {
            Index = index;
            Name = name;
            Type = type;
            Flags = flags;
            Offset = offset;
            Size = size;
            Link = link;
            Info = info;
            EntSize = entSize;
        }

        public int Index { get; }
        public string Name { get; }
        public ElfSectionType Type { get; }
        public ulong Flags { get; }
        public ulong Offset { get; }
        public ulong Size { get; }
        public uint Link { get; }
        public uint Info { get; }
        public ulong EntSize { get; }

        public bool IsExecutable => Type == ElfSectionType.ProgBits && (Flags & FlagExec) != 0;

        public override string ToString() => $"[{Index}] {Name}";
    }

    internal sealed class ElfSymbol
    {
        public const ushort ShnUndef = 0, ShnLoReserve = 0xff00, ShnAbs = 0xfff1, ShnCommon = 0xfff2;
        public const int VisibilityHidden = 2, VisibilityInternal = 1;

        public ElfSymbol(int index, string name, ulong value, ulong size, ElfSymbolBinding binding, ElfSymbolType type, int visibility, ushort sectionIndex)
        {
            Index = index;
            Name = name;
            Value = value;
            Size = size;
            Binding = binding;
            Type = type;
            Visibility = visibility;
            SectionIndex = sectionIndex;
        }

        public int Index { get; }
        public string Name { get; }
        public ulong Value { get; }
        public ulong Size { get; }
        public ElfSymbolBinding Binding { get; }
        public ElfSymbolType Type { get; }
        public int Visibility { get; }
        public ushort SectionIndex { get; }

        /// <summary>An undefined global: an extern (kfunc, .ksyms or .kconfig variable).</summary>
        public bool IsExtern => SectionIndex == ShnUndef && Binding != ElfSymbolBinding.Local && Index != 0;

        public override string ToString() => $"#{Index} {Name} ({Type}, sec {SectionIndex}, value {Value}, size {Size})";
    }

    internal readonly struct ElfRelocation
    {
        public const uint BpfNone = 0, Bpf64_64 = 1, Bpf64Abs64 = 2, Bpf64Abs32 = 3, Bpf64NoDyld32 = 4, Bpf64_32 = 10;

        public ElfRelocation(ulong offset, int symbol, uint type)
        {
            Offset = offset;
            Symbol = symbol;
            Type = type;
        }

        public ulong Offset { get; }
        public int Symbol { get; }
        public uint Type { get; }
    }
}
