using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ebpf.Generator.CodeFixes
{
    /// <summary>
    /// EBPF201 (a .rodata variable or MaxEntries written after Load()): moves the write to just before the
    /// <c>skel.Load();</c> statement of the same block. Offered only when that move cannot change what the write
    /// computes: the statements it moves over declare nothing it uses.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MoveBeforeLoadCodeFix)), Shared]
    public sealed class MoveBeforeLoadCodeFix : CodeFixProvider
    {
        public const string Title = "Move before Load()";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("EBPF201");

        public override FixAllProvider? GetFixAllProvider() => null;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root == null)
                return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
                if (!(node.FirstAncestorOrSelf<ExpressionStatementSyntax>() is ExpressionStatementSyntax write) ||
                    !(write.Parent is BlockSyntax block) ||
                    !diagnostic.Properties.TryGetValue("Skeleton", out var skeleton) || skeleton == null)
                    continue;
                var load = FindLoad(block, write, skeleton);
                if (load == null)
                    continue;
                context.RegisterCodeFix(
                    CodeAction.Create(Title, ct => Task.FromResult(context.Document.WithSyntaxRoot(Move(root, block, write, load))), Title),
                    diagnostic);
            }
        }

        /// <summary>The last <c>skeleton.Load();</c> before <paramref name="write"/> in the block, if moving over what lies between is safe.</summary>
        private static ExpressionStatementSyntax? FindLoad(BlockSyntax block, StatementSyntax write, string skeleton)
        {
            var index = block.Statements.IndexOf(write);
            var used = write.DescendantNodes().OfType<IdentifierNameSyntax>().Select(i => i.Identifier.ValueText).ToImmutableHashSet();
            for (var i = index - 1; i >= 0; i--)
            {
                var statement = block.Statements[i];
                if (statement is ExpressionStatementSyntax e && e.Expression is InvocationExpressionSyntax call &&
                    call.ArgumentList.Arguments.Count == 0 && call.Expression is MemberAccessExpressionSyntax access &&
                    access.Name.Identifier.ValueText == "Load" && access.Expression is IdentifierNameSyntax receiver &&
                    receiver.Identifier.ValueText == skeleton)
                    return e;
                // Moving the write above a declaration it uses would not compile.
                if (statement is LocalDeclarationStatementSyntax declaration &&
                    declaration.Declaration.Variables.Any(v => used.Contains(v.Identifier.ValueText)))
                    return null;
            }
            return null;
        }

        private static SyntaxNode Move(SyntaxNode root, BlockSyntax block, StatementSyntax write, StatementSyntax load)
        {
            var at = block.Statements.IndexOf(load); // before the write, so removing the write does not shift it
            var statements = block.Statements.Remove(write);
            var moved = write.WithLeadingTrivia(load.GetLeadingTrivia());
            var updated = block.WithStatements(statements.Insert(at, moved));
            return root.ReplaceNode(block, updated);
        }
    }
}
