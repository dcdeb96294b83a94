using Ebpf.Btf;

namespace Ebpf.Build.Vmlinux;

/// <summary>
/// Writes every type of a kernel's BTF as C (what <c>bpftool btf dump file ... format c</c> produces), for
/// CO-RE programs to include as vmlinux.h. A type is written after everything it needs complete
/// (members by value, array elements, typedef targets); what it reaches only through pointers needs just a
/// forward declaration, which breaks the cycles of the kernel's type graph. All records get
/// preserve_access_index, so field accesses in BPF programs become CO-RE relocations.
/// </summary>
internal sealed class VmlinuxWriter
{
    private enum State : byte { NotWritten, InProgress, Written }

    private readonly BtfSpec spec;
    private readonly CNames names;
    private readonly CDeclarators declarators;
    private readonly TextWriter output;
    private readonly State[] states;
    private readonly HashSet<string> forwardDeclared = new(StringComparer.Ordinal);
    private readonly HashSet<uint> inlineEnums;

    /// <summary>
    /// clang's own types: a typedef of one would be a redefinition, and for -target bpf it differs from the
    /// kernel's (__builtin_va_list is void * for BPF, struct __va_list_tag[1] on x86_64). Uses are written as the
    /// BTF target type instead, so structs holding one keep the kernel's layout.
    /// </summary>
    private static readonly HashSet<string> CompilerBuiltinTypedefs = new(StringComparer.Ordinal) { "__builtin_va_list" };

    public static bool IsCompilerBuiltin(BtfRef typedef) => CompilerBuiltinTypedefs.Contains(typedef.Name);

    private VmlinuxWriter(BtfSpec spec, TextWriter output)
    {
        this.spec = spec;
        this.output = output;
        names = new CNames(spec);
        inlineEnums = AnonymousEnumsUsedOnce(spec);
        declarators = new CDeclarators(spec, names, new CLayout(spec), inlineEnums);
        states = new State[spec.Count];
    }

    public static void Write(BtfSpec spec, TextWriter output)
    {
        // The walk recurses along chains of by-value containment; run it on a thread with a stack that
        // cannot run out, whatever thread MSBuild gave the task.
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { new VmlinuxWriter(spec, output).WriteAll(); }
            catch (Exception e) { failure = e; }
        }, maxStackSize: 64 * 1024 * 1024);
        thread.Start();
        thread.Join();
        if (failure != null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }

    private void WriteAll()
    {
        output.Write("""
            /* vmlinux.h: the kernel's types as C, written by Ebpf.Build from BTF. Do not edit: it is regenerated when the BTF changes. */
            #ifndef __VMLINUX_H__
            #define __VMLINUX_H__

            #ifndef BPF_NO_PRESERVE_ACCESS_INDEX
            #pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
            #endif


            """);
        for (var id = spec.FirstTypeId; id < (uint)spec.Count; id++)
        {
            switch (spec[id])
            {
                case BtfComposite c when c.Name.Length != 0:
                case BtfRef { Kind: BtfKind.Typedef }:
                case BtfFwd:
                    Require(id, complete: true);
                    break;
                case BtfEnum e when e.Name.Length != 0 || (e.Values.Count > 0 && !inlineEnums.Contains(id)):
                    // Anonymous enums not written inline still define constants (e.g. the kernel's enum { false, true }).
                    WriteEnum(id, e);
                    break;
            }
        }
        output.Write("""
            #ifndef BPF_NO_PRESERVE_ACCESS_INDEX
            #pragma clang attribute pop
            #endif

            #endif /* __VMLINUX_H__ */

            """);
    }

    /// <summary>
    /// Makes sure <paramref name="typeId"/> can be used: written in full when <paramref name="complete"/>
    /// (it is used by value), else at least declared (it is used through a pointer).
    /// </summary>
    private void Require(uint typeId, bool complete)
    {
        switch (spec[typeId])
        {
            case BtfPtr p:
                Require(p.TargetId, complete: false);
                break;
            case BtfArray a:
                Require(a.ElementId, complete: true);   // C wants complete element types, even behind a pointer
                break;
            case BtfRef { Kind: BtfKind.Typedef } t when IsCompilerBuiltin(t):
                Require(t.TargetId, complete);
                break;
            case BtfRef { Kind: BtfKind.Typedef } t:
                if (complete)
                    Require(t.TargetId, complete: true);
                WriteTypedef(typeId, t);
                break;
            case BtfRef r:
                Require(r.TargetId, complete);
                break;
            case BtfFuncProto f:
                Require(f.ReturnId, complete: false);
                foreach (var p in f.Params)
                    if (p.TypeId != 0)
                        Require(p.TypeId, complete: false);
                break;
            case BtfComposite c when c.Name.Length == 0:
                // Written inline where it is used, so everything its members need must come first.
                if (states[typeId] != State.NotWritten)
                    break;
                states[typeId] = State.InProgress;
                RequireMembers(c);
                states[typeId] = State.NotWritten;
                break;
            case BtfComposite c:
                if (complete && states[typeId] == State.NotWritten)
                    WriteComposite(typeId, c);
                else if (states[typeId] != State.Written)
                    ForwardDeclare(c.IsUnion, names.Of(typeId));
                break;
            case BtfEnum e when e.Name.Length != 0:
                WriteEnum(typeId, e);
                break;
            case BtfFwd fwd:
                if (names.TryGetFwdDefinition(typeId, out var definition))
                    Require(definition, complete);
                else
                    ForwardDeclare(fwd.IsUnion, names.Of(typeId));
                break;
        }
    }

    /// <summary>Anonymous enums that exactly one member, typedef or other type refers to.</summary>
    private static HashSet<uint> AnonymousEnumsUsedOnce(BtfSpec spec)
    {
        var uses = new Dictionary<uint, int>();
        void Use(uint id)
        {
            if (id != 0 && spec.Contains(id) && spec[id] is BtfEnum { Name.Length: 0 })
                uses[id] = uses.TryGetValue(id, out var n) ? n + 1 : 1;
        }
        for (var id = spec.FirstTypeId; id < (uint)spec.Count; id++)
        {
            switch (spec[id])
            {
                case BtfComposite c: foreach (var m in c.Members) Use(m.TypeId); break;
                case BtfRef r: Use(r.TargetId); break;
                case BtfPtr p: Use(p.TargetId); break;
                case BtfArray a: Use(a.ElementId); break;
                case BtfFuncProto f:
                    Use(f.ReturnId);
                    foreach (var p in f.Params) Use(p.TypeId);
                    break;
                case BtfVar v: Use(v.TypeId); break;
            }
        }
        return uses.Where(kv => kv.Value == 1).Select(kv => kv.Key).ToHashSet();
    }

    private void RequireMembers(BtfComposite c)
    {
        foreach (var m in c.Members)
            Require(m.TypeId, complete: true);
    }

    private void WriteComposite(uint id, BtfComposite c)
    {
        states[id] = State.InProgress;
        RequireMembers(c);
        output.Write(declarators.CompositeBody(c, 0));
        output.Write(";\n\n");
        states[id] = State.Written;
    }

    private void WriteTypedef(uint id, BtfRef typedef)
    {
        if (states[id] != State.NotWritten)
            return;
        states[id] = State.InProgress;
        if (IsCompilerBuiltin(typedef))
        {
            states[id] = State.Written;
            return;
        }
        Require(typedef.TargetId, complete: false);
        output.Write("typedef ");
        output.Write(declarators.Declare(typedef.TargetId, names.Of(id), 0));
        output.Write(";\n\n");
        states[id] = State.Written;
    }

    private void WriteEnum(uint id, BtfEnum e)
    {
        if (states[id] != State.NotWritten)
            return;
        states[id] = State.Written;
        if (e.Values.Count == 0)
        {
            // BTF's way of saying "declared, never defined" (a forward-declared enum).
            output.Write("enum " + names.Of(id) + ";\n\n");
            return;
        }
        output.Write(declarators.EnumBody(e, 0));
        output.Write(";\n\n");
    }

    private void ForwardDeclare(bool isUnion, string name)
    {
        var text = (isUnion ? "union " : "struct ") + name;
        if (forwardDeclared.Add(text))
            output.Write(text + ";\n\n");
    }
}
