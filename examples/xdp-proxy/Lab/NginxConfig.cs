using System.Net;

namespace Ebpf.Examples.XdpProxy.Lab;

/// <summary>
/// nginx configurations for the lab. Each instance gets a private prefix directory (config, pid, logs,
/// temp paths) under /tmp so it touches nothing of a system nginx.
/// </summary>
internal static class NginxConfig
{
    /// <summary>
    /// A backend answering every request with its own name. One worker: the lab shares its few CPUs
    /// between wrk, two backends and the balancer, and more workers only add context switches.
    /// </summary>
    public static string Backend(string dir, string name, int port) => $$"""
        {{NginxPreamble.Http(dir, 8192)}}
            keepalive_timeout 120s;
            server {
                listen {{port}} reuseport;
                location / { default_type text/plain; return 200 "{{name}}\n"; }
            }
        }
        """;

    /// <summary>The user-space alternative to XDP: nginx's stream (layer-4) proxy on the VIP.</summary>
    public static string StreamProxy(string dir, IPAddress vip, int port, IEnumerable<IPEndPoint> backends, string streamModule) => $$"""
        load_module {{streamModule}};
        worker_processes auto;
        pid {{dir}}/nginx.pid;
        error_log {{dir}}/error.log warn;
        events { worker_connections 8192; }
        stream {
            upstream backends {
        {{string.Join("\n", backends.Select(b => $"        server {b};"))}}
            }
            server {
                listen {{vip}}:{{port}} reuseport;
                proxy_pass backends;
            }
        }
        """;

    /// <summary>Where Debian's libnginx-mod-stream puts the module, or an actionable error.</summary>
    public static string FindStreamModule()
    {
        foreach (var path in new[] { "/usr/lib/nginx/modules/ngx_stream_module.so", "/usr/share/nginx/modules/ngx_stream_module.so" })
            if (File.Exists(path))
                return path;
        throw new ToolException("nginx's stream module (ngx_stream_module.so) is not installed: apt-get install libnginx-mod-stream");
    }
}
