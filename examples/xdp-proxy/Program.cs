using Ebpf.Examples.XdpProxy.Commands;

return Cli.Run(args);
