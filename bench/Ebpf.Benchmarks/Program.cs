// Runs the benchmarks named on the command line (e.g. --filter '*GeneratorBenchmarks*'); figures go to docs/benchmarks.md.
BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
