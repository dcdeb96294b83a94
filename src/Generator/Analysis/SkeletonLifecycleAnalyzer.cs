using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Generator.Analysis
{
    /// <summary>
    /// Lifecycle mistakes with a generated skeleton that are runtime exceptions, caught at compile time within one
    /// method body, lambda or local function (docs/diagnostics.md): EBPF201, a .rodata variable or a map's MaxEntries written after Load();
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
            // Cheap first: no graph is built unless the body, or a lambda or local function in it, creates a skeleton it keeps.
            if (TrackedLocals.Find(context.Operation).Count == 0 && !HasFunctionWithTrackedLocals(context.Operation))
                return;
            var cfg = context.Operation is IConstructorBodyOperation ctor
                ? ControlFlowGraph.Create(ctor)
                : ControlFlowGraph.Create((IMethodBodyOperation)context.Operation);
            AnalyzeGraph(cfg, context.Operation, context);
        }

        /// <summary>
        /// One body, then each lambda and local function in it as a body of its own (their graphs are separate): a skeleton
        /// a lambda creates and uses is analyzed there; one it captures from outside is not (TrackedLocals), since when the
        /// lambda runs relative to the outer code is unknown.
        /// </summary>
        private static void AnalyzeGraph(ControlFlowGraph cfg, IOperation root, OperationAnalysisContext context)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var tracked = TrackedLocals.Find(root);
            if (tracked.Count != 0)
                new LifecycleFlow(cfg, tracked, context.ReportDiagnostic).Run();
            foreach (var function in cfg.LocalFunctions)
            {
                var inner = cfg.GetLocalFunctionControlFlowGraph(function, context.CancellationToken);
                AnalyzeGraph(inner, inner.OriginalOperation, context);
            }
            foreach (var block in cfg.Blocks)
            {
                foreach (var op in block.BranchValue is null ? block.Operations : block.Operations.Add(block.BranchValue))
                {
                    foreach (var lambda in op.DescendantsAndSelf())
                    {
                        if (lambda is IFlowAnonymousFunctionOperation flowLambda)
                        {
                            var inner = cfg.GetAnonymousFunctionControlFlowGraph(flowLambda, context.CancellationToken);
                            AnalyzeGraph(inner, inner.OriginalOperation, context);
                        }
                    }
                }
            }
        }

        private static bool HasFunctionWithTrackedLocals(IOperation body)
        {
            foreach (var op in body.Descendants())
                if ((op is IAnonymousFunctionOperation || op is ILocalFunctionOperation) && TrackedLocals.Find(op).Count != 0)
                    return true;
            return false;
        }
    }
}
