// LoopbackHttpServer: a tiny HTTP/1.1 server on 127.0.0.1 for the download tests, built on
// TcpListener so it binds a free port with no race and can misbehave on purpose (stall, cut a body
// short). One request per connection, GET only, answered by a handler the test supplies. It is not a
// general web server: no keep-alive, no chunked encoding, no TLS.
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MnistBp.Tests;

/// <summary>What the loopback server sends back for one request.</summary>
/// <param name="StatusCode">The HTTP status code.</param>
/// <param name="Body">The body bytes.</param>
internal sealed record LoopbackResponse(int StatusCode, byte[] Body)
{
    /// <summary>When set, only this many body bytes are sent; then the server waits until it is disposed (a stalled transfer).</summary>
    public int? StallAfterBytes { get; init; }

    /// <summary>When set, only this many body bytes are sent, then the connection is closed although Content-Length promised the whole body.</summary>
    public int? CloseAfterBytes { get; init; }

    public static LoopbackResponse Ok(byte[] body) => new(200, body);

    public static LoopbackResponse Status(int statusCode) => new(statusCode, Encoding.ASCII.GetBytes($"status {statusCode}"));
}

/// <summary>An HTTP server on a free loopback port; stop it by disposing.</summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private const int MaxRequests = 100;

    private readonly TcpListener _listener;
    private readonly Func<string, LoopbackResponse> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _requestedPaths = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Task _acceptLoop;

    private LoopbackHttpServer(Func<string, LoopbackResponse> handler)
    {
        _handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>http://127.0.0.1:port/</summary>
    public Uri BaseAddress { get; }

    /// <summary>The paths requested so far, in arrival order (such as <c>/good/t10k-labels-idx1-ubyte.gz</c>).</summary>
    public IReadOnlyList<string> RequestedPaths => [.. _requestedPaths];

    /// <summary>Starts a server that answers each GET with <paramref name="handler"/>(path).</summary>
    public static LoopbackHttpServer Start(Func<string, LoopbackResponse> handler) => new(handler);

    /// <summary>The address of a folder on this server, ending with '/'.</summary>
    public Uri Folder(string name) => new(BaseAddress, name.Trim('/') + "/");

    /// <summary>An http address on loopback where nothing listens: connecting to it is refused.</summary>
    public static Uri RefusingAddress()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/mnist/");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task all = Task.WhenAll([_acceptLoop, .. _connections]);
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(10)));
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _connections.Add(Task.Run(() => ServeAsync(client)));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                NetworkStream stream = client.GetStream();
                string? path = await ReadRequestPathAsync(stream, timeout.Token);
                if (path is null)
                {
                    return;
                }

                _requestedPaths.Enqueue(path);
                LoopbackResponse response = _requestedPaths.Count > MaxRequests
                    ? LoopbackResponse.Status(503) // a runaway client: refuse rather than loop forever
                    : _handler(path);

                string reason = ((HttpStatusCode)response.StatusCode).ToString();
                string head = string.Create(CultureInfo.InvariantCulture,
                    $"HTTP/1.1 {response.StatusCode} {reason}\r\nContent-Type: application/octet-stream\r\nContent-Length: {response.Body.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), timeout.Token);

                int sent = Math.Min(response.Body.Length, response.StallAfterBytes ?? response.CloseAfterBytes ?? response.Body.Length);
                await stream.WriteAsync(response.Body.AsMemory(0, sent), timeout.Token);
                await stream.FlushAsync(timeout.Token);
                if (response.StallAfterBytes is not null)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token); // until the test ends
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // The client went away, or the server is stopping.
            }
        }
    }

    /// <summary>Reads the request line and headers; returns the path of a GET, or null.</summary>
    private static async Task<string?> ReadRequestPathAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[8192];
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                return null;
            }

            filled += read;
            string text = Encoding.ASCII.GetString(buffer, 0, filled);
            if (text.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                string[] requestLine = text[..text.IndexOf("\r\n", StringComparison.Ordinal)].Split(' ');
                return requestLine.Length == 3 && requestLine[0] == "GET" ? requestLine[1] : null;
            }
        }

        return null;
    }
}
