using System.Net.Sockets;
using System.Text;
using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Orchestration;

namespace Coinage.Hosting.Redis;

/// <summary>Runs Debian's redis-server on loopback with a password.</summary>
internal sealed class RedisRunner(RedisResource resource, RunContext context) : IResourceRunner
{
    private string _program = "";
    private string _directory = "";

    public Task PrepareAsync(CancellationToken cancellationToken)
    {
        _program = ExecutableLocator.Require(resource.Name, "sudo apt-get install -y redis-server", "redis-server");
        _directory = context.ResourceDirectory(resource);
        return Task.CompletedTask;
    }

    public ProcessSpec? CreateProcess(int replica)
    {
        var port = context.Values.Port(resource.GetEndpoint("tcp"));
        // A local run keeps an append-only file so sessions survive a restart; tests keep nothing.
        var persistence = context.IsTesting ? (string[])["--save", "", "--appendonly", "no"] : ["--appendonly", "yes"];
        return new ProcessSpec(_program,
        [
            "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--protected-mode", "yes", "--requirepass", resource.Password.Value,
            "--dir", _directory, "--daemonize", "no", "--loglevel", "notice", .. persistence,
        ]);
    }

    /// <summary>AUTH then PING over RESP; healthy on +PONG.</summary>
    public async Task<bool> IsHealthyAsync(int replica, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", context.Values.Port(resource.GetEndpoint("tcp")), cancellationToken).ConfigureAwait(false);
            var stream = client.GetStream();
            var password = resource.Password.Value;
            var command = $"*2\r\n$4\r\nAUTH\r\n${Encoding.UTF8.GetByteCount(password)}\r\n{password}\r\n*1\r\n$4\r\nPING\r\n";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(command), cancellationToken).ConfigureAwait(false);
            var buffer = new byte[256];
            var text = "";
            while (text.Split("\r\n").Length < 3) // two replies: AUTH's and PING's
            {
                var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return false;
                }
                text += Encoding.UTF8.GetString(buffer, 0, read);
            }
            return text.Contains("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
