using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ebpf.Examples.Tests.Images;

/// <summary>
/// HTTPS in front of a plain-HTTP test server on loopback (HttpListener cannot serve TLS here): it accepts TLS on
/// 127.0.0.1 with a self-signed certificate made for the test (its own CA, IP SAN 127.0.0.1), and relays each
/// connection's bytes to the backend port both ways. A client that trusts <see cref="CertificatePem"/> talks HTTPS
/// to <see cref="Url"/>; the client's TLS is real, which is what the image tests need to see work.
/// </summary>
internal sealed class TlsFront : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 certificate = SelfSigned();
    private readonly CancellationTokenSource stop = new();
    private readonly int backendPort;

    public TlsFront(int backendPort)
    {
        this.backendPort = backendPort;
        listener.Start();
        _ = Task.Run(AcceptLoop);
    }

    public string Url => $"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    /// <summary>The server certificate (self-signed, so also the CA to trust), PEM.</summary>
    public string CertificatePem => certificate.ExportCertificatePem();

    /// <summary>TLS handshakes that completed.</summary>
    public int Handshakes => handshakes;

    private int handshakes;

    private async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = Task.Run(() => Relay(client));
        }
    }

    private async Task Relay(TcpClient client)
    {
        using (client)
        using (var tls = new SslStream(client.GetStream()))
        using (var backend = new TcpClient())
        {
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, stop.Token);
                Interlocked.Increment(ref handshakes);
                await backend.ConnectAsync(IPAddress.Loopback, backendPort, stop.Token);
                var plain = backend.GetStream();
                // Either side closing ends the relay.
                await Task.WhenAny(tls.CopyToAsync(plain, stop.Token), plain.CopyToAsync(tls, stop.Token));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
            {
            }
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ebpf-net test API server", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        certificate.Dispose();
    }
}
