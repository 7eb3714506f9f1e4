using System.Text;

namespace IdentitySharing.Host.Logging;

/// <summary>
/// Standard output written in batches. The console logger's own thread hands each line over
/// (a copy into a buffer) and a thread of this writer writes whatever has gathered with one
/// <c>write(2)</c>. Why: one system call per log line was about a quarter of the host's CPU
/// under load (docs/performance.md), and the host logs one line per RPC.
/// <para>
/// A line waits at most about <see cref="GatherWindow"/> before it is written, and
/// <see cref="Flush"/> and <see cref="Dispose(bool)"/> write everything handed over before
/// them. What a crash (<c>kill -9</c>) loses is the lines of that last window, on top of what the
/// console logger itself still held in its queue, as before. When the output cannot keep up,
/// writers wait once <c>maxPendingChars</c> are pending instead of growing the buffer without
/// bound, the back-pressure a direct write would give.
/// </para>
/// </summary>
internal sealed class BatchedStdout : TextWriter
{
    /// <summary>How long the writer thread gathers lines after the first one before writing.</summary>
    public static readonly TimeSpan GatherWindow = TimeSpan.FromMilliseconds(2);

    private readonly Stream _output;
    private readonly int _maxPendingChars;
    private readonly object _gate = new();
    private readonly Thread _writer;
    private StringBuilder _pending = new();
    private StringBuilder _spare = new();
    private readonly Encoder _encoder;
    private byte[] _bytes = [];
    private long _handedOver;
    private long _written;
    private bool _flushRequested;
    private bool _stopping;
    private bool _writerDone;
    private Exception? _failure;

    public BatchedStdout(Stream output, int maxPendingChars = 4 * 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPendingChars, 1);
        _output = output;
        _maxPendingChars = maxPendingChars;
        _encoder = Encoding.GetEncoder();
        _writer = new Thread(WriteBatches) { IsBackground = true, Name = "stdout batches" };
        _writer.Start();
    }

    public override Encoding Encoding { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Replaces <see cref="Console.Out"/> with a batched writer; disposing it writes the rest. An
    /// exit that skips the disposal (<see cref="Environment.Exit"/>, an unhandled exception) still
    /// writes what was handed over.
    /// </summary>
    public static BatchedStdout InstallAsConsoleOut()
    {
        var batched = new BatchedStdout(Console.OpenStandardOutput());
        Console.SetOut(batched);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => batched.Flush();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => batched.Flush();
        return batched;
    }

    public override void Write(char value) => Append(new ReadOnlySpan<char>(in value));

    public override void Write(string? value) => Append(value);

    public override void Write(char[] buffer, int index, int count) => Append(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> buffer) => Append(buffer);

    // One hand-over for the text and its newline, so that lines from two threads never interleave.
    public override void WriteLine(string? value) => Append(value, appendNewLine: true);

    public override void WriteLine(ReadOnlySpan<char> buffer) => Append(buffer, appendNewLine: true);

    /// <summary>Returns once everything handed over before the call has been written.</summary>
    public override void Flush()
    {
        lock (_gate)
        {
            var target = _handedOver;
            _flushRequested = true;
            Monitor.PulseAll(_gate);
            while (_written < target && _failure is null && !_writerDone)
            {
                Monitor.Wait(_gate);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                _stopping = true;
                Monitor.PulseAll(_gate);
            }
            _writer.Join();
        }
        base.Dispose(disposing);
    }

    private void Append(ReadOnlySpan<char> text, bool appendNewLine = false)
    {
        lock (_gate)
        {
            if (_writerDone)
            {
                // Disposed: a late line (a logger still draining) is written at once, not lost.
                _pending.Append(text);
                if (appendNewLine)
                {
                    _pending.Append(CoreNewLine);
                }
                WriteOut(_pending);
                _pending.Clear();
                return;
            }
            while (_pending.Length >= _maxPendingChars && _failure is null)
            {
                Monitor.Wait(_gate);
            }
            var wasEmpty = _pending.Length == 0;
            _pending.Append(text);
            if (appendNewLine)
            {
                _pending.Append(CoreNewLine);
            }
            _handedOver += text.Length + (appendNewLine ? CoreNewLine.Length : 0);
            if (wasEmpty)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    private void WriteBatches()
    {
        while (true)
        {
            bool gather;
            lock (_gate)
            {
                while (_pending.Length == 0 && !_stopping)
                {
                    Monitor.Wait(_gate);
                }
                if (_pending.Length == 0)
                {
                    _writerDone = true;
                    Monitor.PulseAll(_gate);
                    return;
                }
                gather = !_stopping && !_flushRequested;
            }
            if (gather)
            {
                Thread.Sleep(GatherWindow);
            }

            StringBuilder batch;
            long upTo;
            lock (_gate)
            {
                batch = _pending;
                _pending = _spare;
                upTo = _handedOver;
                _flushRequested = false;
                // Writers waiting for room may go on now.
                Monitor.PulseAll(_gate);
            }
            var failed = WriteOut(batch);
            batch.Clear();
            lock (_gate)
            {
                _spare = batch;
                _written = upTo;
                _failure ??= failed;
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Encodes and writes one batch; a broken output (a closed pipe) drops it rather than the process.</summary>
    private Exception? WriteOut(StringBuilder batch)
    {
        try
        {
            var needed = Encoding.GetMaxByteCount(batch.Length);
            if (_bytes.Length < needed)
            {
                _bytes = new byte[Math.Max(needed, 64 * 1024)];
            }
            var length = 0;
            foreach (var chunk in batch.GetChunks())
            {
                // Stateful, so a surrogate pair split across two chunks is still encoded whole.
                length += _encoder.GetBytes(chunk.Span, _bytes.AsSpan(length), flush: false);
            }
            length += _encoder.GetBytes(ReadOnlySpan<char>.Empty, _bytes.AsSpan(length), flush: true);
            _output.Write(_bytes, 0, length);
            _output.Flush();
            return null;
        }
        catch (IOException e)
        {
            return e;
        }
    }
}
