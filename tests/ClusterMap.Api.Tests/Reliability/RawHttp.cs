using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace ClusterMap.Api.Tests.Reliability;

/// <summary>
/// HTTP/1.1 spoken byte for byte over a socket, for requests no HTTP client library would send (NUL bytes, overlong
/// lines, invalid header bytes) and for bodies sent at the test's own pace.
/// </summary>
internal static class RawHttp
{
    public sealed record Response(int Status, string Head, byte[] Body)
    {
        public string Text => Encoding.UTF8.GetString(Body);

        public string? Header(string name) =>
            Head.Split("\r\n").Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
                .Select(p => p[1].Trim()).FirstOrDefault();

        public override string ToString() => $"{Status}: {Head.ReplaceLineEndings(" | ")} {(Text.Length > 300 ? Text[..300] + "…" : Text)}";
    }

    public static byte[] Ascii(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>
    /// Sends <paramref name="head"/> (and whatever <paramref name="sendBody"/> writes, while the answer is read), then
    /// reads one answer. A server that answers early and closes may make the writing fail; that is not an error here.
    /// Throws <see cref="TimeoutException"/> when no whole answer comes within <paramref name="timeout"/>: a hang.
    /// </summary>
    public static async Task<Response> SendAsync(Uri server, byte[] head, Func<Stream, CancellationToken, Task>? sendBody = null, TimeSpan? timeout = null)
    {
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        using var stop = new CancellationTokenSource();
        var writing = WriteAsync(stream, head, sendBody, stop.Token);
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            return await ReadResponseAsync(stream, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"no whole answer within {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds} s");
        }
        finally
        {
            await stop.CancelAsync();
            await writing;
        }
    }

    private static async Task WriteAsync(Stream stream, byte[] head, Func<Stream, CancellationToken, Task>? sendBody, CancellationToken cancellationToken)
    {
        try
        {
            await stream.WriteAsync(head, cancellationToken);
            if (sendBody is not null)
            {
                await sendBody(stream, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Writes one chunk of a chunked body (RFC 9112 §7.1).</summary>
    public static async Task WriteChunkAsync(Stream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Ascii(data.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), cancellationToken);
        await stream.WriteAsync(data, cancellationToken);
        await stream.WriteAsync(Ascii("\r\n"), cancellationToken);
    }

    private static async Task<Response> ReadResponseAsync(Stream stream, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int headEnd;
        while ((headEnd = IndexOf(received, "\r\n\r\n"u8)) < 0)
        {
            if (!await ReadMoreAsync(stream, received, buffer, cancellationToken))
            {
                throw new IOException("the connection closed before a whole answer: " + Encoding.Latin1.GetString(received.ToArray()));
            }
        }

        var all = received.ToArray();
        var head = Encoding.Latin1.GetString(all, 0, headEnd);
        var status = int.Parse(head.Split(' ', 3)[1], CultureInfo.InvariantCulture);
        var response = new Response(status, head, []);
        var rest = new MemoryStream();
        rest.Write(all, headEnd + 4, all.Length - headEnd - 4);
        if (response.Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            return response with { Body = await ReadChunkedAsync(stream, rest, buffer, cancellationToken) };
        }

        var length = response.Header("Content-Length") is { } declared ? long.Parse(declared, CultureInfo.InvariantCulture) : long.MaxValue;
        while (rest.Length < length && await ReadMoreAsync(stream, rest, buffer, cancellationToken))
        {
        }

        if (length != long.MaxValue && rest.Length < length)
        {
            throw new IOException($"the connection closed after {rest.Length} of {length} body bytes");
        }

        return response with { Body = length == long.MaxValue ? rest.ToArray() : rest.ToArray()[..(int)length] };
    }

    private static async Task<byte[]> ReadChunkedAsync(Stream stream, MemoryStream rest, byte[] buffer, CancellationToken cancellationToken)
    {
        var body = new MemoryStream();
        var position = 0;
        while (true)
        {
            int lineEnd;
            while ((lineEnd = IndexOf(rest, "\r\n"u8, position)) < 0)
            {
                if (!await ReadMoreAsync(stream, rest, buffer, cancellationToken))
                {
                    throw new IOException("the connection closed inside a chunked answer");
                }
            }

            var sizeText = Encoding.Latin1.GetString(rest.GetBuffer(), position, lineEnd - position).Split(';')[0];
            var size = int.Parse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            position = lineEnd + 2;
            if (size == 0)
            {
                return body.ToArray();
            }

            while (rest.Length < position + size + 2)
            {
                if (!await ReadMoreAsync(stream, rest, buffer, cancellationToken))
                {
                    throw new IOException("the connection closed inside a chunk");
                }
            }

            body.Write(rest.GetBuffer(), position, size);
            position += size + 2;
        }
    }

    private static async Task<bool> ReadMoreAsync(Stream stream, MemoryStream into, byte[] buffer, CancellationToken cancellationToken)
    {
        int read;
        try
        {
            read = await stream.ReadAsync(buffer, cancellationToken);
        }
        catch (IOException) when (into.Length > 0)
        {
            // A reset after the server's answer (it closed while the test was still sending): what arrived counts.
            return false;
        }

        into.Write(buffer, 0, read);
        return read > 0;
    }

    private static int IndexOf(MemoryStream stream, ReadOnlySpan<byte> value, int from = 0)
    {
        var index = stream.GetBuffer().AsSpan(from, (int)stream.Length - from).IndexOf(value);
        return index < 0 ? -1 : index + from;
    }
}
