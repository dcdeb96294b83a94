namespace Ebpf.Examples.Linux;

/// <summary>
/// The part of an nginx.conf every lab server shares: one worker, all state (pid, logs, temp files) under the
/// server's own scratch folder so several instances run side by side, no access log, long keep-alive.
/// </summary>
public static class NginxPreamble
{
    /// <summary>The top of the file through the first lines of the <c>http</c> block, which the caller continues and closes.</summary>
    public static string Http(string dir, int workerConnections) => $$"""
        worker_processes 1;
        pid {{dir}}/nginx.pid;
        error_log {{dir}}/error.log warn;
        events { worker_connections {{workerConnections}}; }
        http {
            access_log off;
            client_body_temp_path {{dir}}/body;
            proxy_temp_path {{dir}}/proxy;
            fastcgi_temp_path {{dir}}/fastcgi;
            uwsgi_temp_path {{dir}}/uwsgi;
            scgi_temp_path {{dir}}/scgi;
            keepalive_requests 1000000;
        """;
}
