using Ebpf.Examples.Sockredir.Commands;

return Cli.Run(args);
