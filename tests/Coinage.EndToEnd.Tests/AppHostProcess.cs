using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Coinage.EndToEnd.Tests;

/// <summary>
/// The AppHost run the way a developer runs it: a separate process, free ports, its own data
/// directory. Knows the URLs it printed and every process it started.
/// </summary>
internal sealed partial class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppHostProcess(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public int Pid => _process.Id;

    public Process Process => _process;

    public string Output => string.Join('\n', _output);

    /// <summary>Links printed once everything is healthy, by label ("Web front end", "API reference", ...).</summary>
    public Dictionary<string, Uri> Links { get; } = [];

    /// <summary>
    /// Starts the AppHost; <paramref name="prepare"/> may seed its data directory first, and
    /// <paramref name="arguments"/> go after the defaults (e.g. <c>--Coinage:MarketMaker:Enabled=false</c>).
    /// </summary>
    public static AppHostProcess Start(Action<string>? prepare = null, IReadOnlyList<string>? arguments = null)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("coinage-e2e-").FullName;
        File.SetUnixFileMode(dataDirectory, (UnixFileMode)0b111_101_101); // PostgreSQL's user must traverse it
        prepare?.Invoke(dataDirectory);
        // Through env(1), which then execs dotnet in the same process: a runner started in the background
        // (`cmd &` in a script) hands its children SIGINT ignored, and the AppHost would not hear the Ctrl+C
        // these tests send; --default-signal gives it the disposition a terminal would.
        var info = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["--default-signal=INT", "dotnet", "exec", AppHostAssembly, "--Coinage:FreePorts=true", $"--Coinage:DataDirectory={dataDirectory}"])
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var arg in arguments ?? [])
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        var apphost = new AppHostProcess(Process.Start(info)!, dataDirectory);
        apphost._process.OutputDataReceived += (_, e) => apphost.OnLine(e.Data);
        apphost._process.ErrorDataReceived += (_, e) => apphost.OnLine(e.Data);
        apphost._process.BeginOutputReadLine();
        apphost._process.BeginErrorReadLine();
        return apphost;
    }

    public async Task WaitUntilRunningAsync(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        var finished = await Task.WhenAny(_running.Task, exited, Task.Delay(timeout)).ConfigureAwait(false);
        if (finished != _running.Task)
        {
            throw new TimeoutException($"The AppHost did not report 'Coinage is running' ({(finished == exited ? $"it exited with {_process.ExitCode}" : "timed out")}). Output:\n{Tail(80)}");
        }
    }

    /// <summary>
    /// Every live process of the platform: below the AppHost, and below DCP, which Aspire starts detached (its parent is
    /// init) with <c>--monitor APPHOST-PID</c>, and which starts the resources.
    /// </summary>
    public IReadOnlyList<int> Descendants()
    {
        var dcp = ProcessTree.WithCommandLine($"--monitor {_process.Id} ");
        return [.. ProcessTree.DescendantsOf(_process.Id), .. dcp, .. dcp.SelectMany(ProcessTree.DescendantsOf)];
    }

    /// <summary>The AppHost built with this test assembly (same configuration), run as <c>./coinage run</c> runs it.</summary>
    private static string AppHostAssembly => Path.Combine(Projects.Coinage_AppHost.ProjectPath, "bin",
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name, "net10.0", "Coinage.AppHost.dll");

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    public string Tail(int lines) => string.Join('\n', _output.TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        _process.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        foreach (Match link in LinkPattern().Matches(line))
        {
            Links[link.Groups["label"].Value.Trim()] = new Uri(link.Groups["url"].Value);
        }
        if (line.StartsWith("Coinage is running", StringComparison.Ordinal))
        {
            // The summary lines follow; give them a moment to arrive.
            _ = Task.Delay(500).ContinueWith(_ => _running.TrySetResult(), TaskScheduler.Default);
        }
    }

    [GeneratedRegex(@"(?<label>[A-Z][A-Za-z]*(?: [A-Za-z]+)*): (?<url>https?://\S+)")]
    private static partial Regex LinkPattern();
}

/// <summary>Reads the process tree from /proc.</summary>
internal static class ProcessTree
{
    public static IReadOnlyList<int> DescendantsOf(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && Stat(pid) is { } stat && stat.State != 'Z')
            {
                parents[pid] = stat.ParentPid;
            }
        }
        var result = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var child in parents.Where(p => p.Value == parent).Select(p => p.Key))
            {
                result.Add(child);
                frontier.Enqueue(child);
            }
        }
        return result;
    }

    /// <summary>Live processes whose command line contains <paramref name="text"/> (arguments joined by spaces, with a trailing one).</summary>
    public static IReadOnlyList<int> WithCommandLine(string text)
    {
        var result = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && IsAlive(pid))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Contains(text, StringComparison.Ordinal))
                    {
                        result.Add(pid);
                    }
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
        return result;
    }

    /// <summary>True while the process exists and is not a zombie waiting to be reaped.</summary>
    public static bool IsAlive(int pid) => Stat(pid) is { State: not 'Z' };

    private static (char State, int ParentPid)? Stat(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (rest[0][0], int.Parse(rest[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
