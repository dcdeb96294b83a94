using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Generator.Analysis
{
    /// <summary>
    /// A forward data flow over one body's control flow graph: for each tracked skeleton, whether it may be loaded
    /// (on some path) and whether it must be (on every path). A setting written where it must be loaded is EBPF201; a
    /// program used where it cannot be loaded is EBPF202. "Some path"/"every path" keep both quiet where the order
    /// differs between paths (a loop that loads in one iteration and configures in another).
    /// </summary>
    internal sealed class LifecycleFlow
    {
        private readonly ControlFlowGraph cfg;
        private readonly Dictionary<ILocalSymbol, int> index = new Dictionary<ILocalSymbol, int>(SymbolEqualityComparer.Default);
        private readonly Action<Diagnostic> report;
        private readonly HashSet<Location> reported = new HashSet<Location>();

        private sealed class State
        {
            public State(int count)
            {
                May = new bool[count];
                Must = new bool[count];
            }

            public bool[] May { get; }
            public bool[] Must { get; }

            public State Clone()
            {
                var copy = new State(May.Length);
                Array.Copy(May, copy.May, May.Length);
                Array.Copy(Must, copy.Must, Must.Length);
                return copy;
            }

            /// <summary>Joins <paramref name="other"/> into this state; true when it changed.</summary>
            public bool Join(State other)
            {
                var changed = false;
                for (var i = 0; i < May.Length; i++)
                {
                    if (other.May[i] && !May[i]) { May[i] = true; changed = true; }
                    if (!other.Must[i] && Must[i]) { Must[i] = false; changed = true; }
                }
                return changed;
            }

            public static State Unknown(int count)
            {
                var s = new State(count);
                for (var i = 0; i < count; i++)
                    s.May[i] = true;
                return s;
            }
        }

        public LifecycleFlow(ControlFlowGraph cfg, IReadOnlyList<ILocalSymbol> locals, Action<Diagnostic> report)
        {
            this.cfg = cfg;
            this.report = report;
            for (var i = 0; i < locals.Count; i++)
                index[locals[i]] = i;
        }

        public void Run()
        {
            var blocks = cfg.Blocks;
            var input = new State?[blocks.Length];
            input[0] = new State(index.Count);
            var work = new Queue<int>();
            work.Enqueue(0);
            while (true)
            {
                while (work.Count > 0)
                {
                    var ordinal = work.Dequeue();
                    var output = input[ordinal]!.Clone();
                    Transfer(blocks[ordinal], output, reportNow: false);
                    foreach (var branch in new[] { blocks[ordinal].FallThroughSuccessor, blocks[ordinal].ConditionalSuccessor })
                    {
                        var target = branch?.Destination;
                        if (target == null)
                            continue;
                        if (input[target.Ordinal] == null)
                        {
                            input[target.Ordinal] = output.Clone();
                            work.Enqueue(target.Ordinal);
                        }
                        else if (input[target.Ordinal]!.Join(output))
                        {
                            work.Enqueue(target.Ordinal);
                        }
                    }
                }
                // Blocks entered only by an exception (catch and finally handlers): start them from "unknown".
                var pending = -1;
                for (var i = 0; i < blocks.Length; i++)
                {
                    if (input[i] == null && blocks[i].IsReachable && blocks[i].Kind == BasicBlockKind.Block)
                    {
                        pending = i;
                        break;
                    }
                }
                if (pending < 0)
                    break;
                input[pending] = State.Unknown(index.Count);
                work.Enqueue(pending);
            }
            for (var i = 0; i < blocks.Length; i++)
                if (input[i] != null)
                    Transfer(blocks[i], input[i]!.Clone(), reportNow: true);
        }

        private void Transfer(BasicBlock block, State state, bool reportNow)
        {
            foreach (var statement in block.Operations)
                Visit(statement, state, reportNow);
            if (block.BranchValue != null)
                Visit(block.BranchValue, state, reportNow);
        }

        private void Visit(IOperation root, State state, bool reportNow)
        {
            foreach (var op in root.DescendantsAndSelf())
            {
                switch (op)
                {
                    case ISimpleAssignmentOperation assignment when Tracked(assignment.Target, out var local):
                        SetFromValue(state, local, assignment.Value);
                        break;
                    case IInvocationOperation invocation when invocation.TargetMethod.Name == "Load" && invocation.Arguments.Length == 0 &&
                                                              Tracked(invocation.Instance, out var loaded):
                        state.May[loaded] = state.Must[loaded] = true;
                        break;
                    case IPropertyReferenceOperation programs when programs.Property.Name == "Programs" && Tracked(programs.Instance, out var p) &&
                                                                   programs.Parent is IPropertyReferenceOperation program && program.Instance == programs:
                        if (reportNow && !state.May[p])
                            Report(Diagnostics.ProgramBeforeLoad, program.Syntax, program.Syntax.ToString(), programs.Instance!.Syntax.ToString());
                        break;
                    case IInvocationOperation write when write.TargetMethod.Name == "Write" && write.Instance is IPropertyReferenceOperation globalData &&
                                                         globalData.Property.Name == "GlobalData" && ReadOnlySection(globalData.Instance, out var w):
                        if (reportNow && state.Must[w])
                            Report(Diagnostics.ConfiguredAfterLoad, write.Syntax, write.Syntax.ToString(), Receiver(globalData.Instance));
                        break;
                    default:
                        if (WrittenProperty(op) is IPropertyReferenceOperation target && IsLoadTimeSetting(target, out var s))
                        {
                            if (reportNow && state.Must[s])
                                Report(Diagnostics.ConfiguredAfterLoad, target.Syntax, target.Syntax.ToString(), Receiver(target));
                        }
                        break;
                }
            }
        }

        private void SetFromValue(State state, int local, IOperation value)
        {
            value = TrackedLocals.Unwrap(value);
            bool? loads = value is IInvocationOperation invocation ? SkeletonSymbols.FactoryLoads(invocation.TargetMethod) : null;
            if (loads == null && value.ConstantValue.HasValue && value.ConstantValue.Value == null)
                loads = false;
            if (loads == null)
            {
                state.May[local] = true; // a value the graph computed elsewhere (a conditional): unknown
                state.Must[local] = false;
            }
            else
            {
                state.May[local] = state.Must[local] = loads.Value;
            }
        }

        /// <summary>The property an assignment, compound assignment or ++/-- writes.</summary>
        private static IOperation? WrittenProperty(IOperation op)
        {
            switch (op)
            {
                case ISimpleAssignmentOperation a: return a.Target;
                case ICompoundAssignmentOperation c: return c.Target;
                case ICoalesceAssignmentOperation c: return c.Target;
                case IIncrementOrDecrementOperation i: return i.Target;
                default: return null;
            }
        }

        /// <summary><c>skel.Rodata.X</c> (a read-only section's variable) or <c>skel.Maps.X.MaxEntries</c>.</summary>
        private bool IsLoadTimeSetting(IPropertyReferenceOperation target, out int local)
        {
            if (ReadOnlySection(target.Instance, out local))
                return true;
            return target.Property.Name == "MaxEntries" && target.Instance is IPropertyReferenceOperation map &&
                   map.Instance is IPropertyReferenceOperation maps && maps.Property.Name == "Maps" && Tracked(maps.Instance, out local);
        }

        private bool ReadOnlySection(IOperation? section, out int local)
        {
            local = -1;
            return section is IPropertyReferenceOperation s && SkeletonSymbols.IsReadOnlySection(s.Property) && Tracked(s.Instance, out local);
        }

        private static string Receiver(IOperation? op)
        {
            while (op is IPropertyReferenceOperation p)
                op = p.Instance;
            return op?.Syntax.ToString() ?? "";
        }

        private bool Tracked(IOperation? op, out int local)
        {
            local = -1;
            return op is ILocalReferenceOperation reference && index.TryGetValue(reference.Local, out local);
        }

        private void Report(DiagnosticDescriptor descriptor, SyntaxNode node, string what, string skeleton)
        {
            var location = node.GetLocation();
            // The skeleton's name travels to the code fix (Ebpf.Generator.CodeFixes), which looks for its Load() call.
            var properties = ImmutableDictionary<string, string?>.Empty.Add("Skeleton", skeleton);
            if (reported.Add(location))
                report(Diagnostic.Create(descriptor, location, properties, what, skeleton));
        }
    }
}
