using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Generator.Analysis
{
    /// <summary>
    /// Lifecycle mistakes with a generated skeleton that are runtime exceptions, caught at compile time within one
    /// method body (docs/diagnostics.md): EBPF201, a .rodata variable or a map's MaxEntries written after Load();
    /// EBPF202, <c>Programs.X</c> used before Load(). Only skeletons created and used in the body are analyzed
    /// (<see cref="TrackedLocals"/>); the order is taken along the control flow graph (<see cref="LifecycleFlow"/>).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class SkeletonLifecycleAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Diagnostics.ConfiguredAfterLoad, Diagnostics.ProgramBeforeLoad);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterOperationAction(Analyze, OperationKind.MethodBody, OperationKind.ConstructorBody);
        }

        private static void Analyze(OperationAnalysisContext context)
        {
            var tracked = TrackedLocals.Find(context.Operation);
            if (tracked.Count == 0)
                return;
            var cfg = context.Operation is IConstructorBodyOperation ctor
                ? ControlFlowGraph.Create(ctor)
                : ControlFlowGraph.Create((IMethodBodyOperation)context.Operation);
            new LifecycleFlow(cfg, tracked, context.ReportDiagnostic).Run();
        }
    }
}
