using System.Text;
using IdentitySharing.Host.Logging;

namespace IdentitySharing.Host.Tests;

public sealed class BatchedStdoutTests
{
    [Fact]
    public async Task Lines_from_many_threads_all_arrive_whole_and_in_each_threads_order()
    {
        var sink = new RecordingStream();
        const int Threads = 8, LinesPerThread = 2_000;
        using (var writer = new BatchedStdout(sink))
        {
            await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < LinesPerThread; i++)
                {
                    // The console logger hands over a whole line, newline included, in one Write.
                    writer.Write($"{{\"thread\":{t},\"line\":{i},\"text\":\"Zoë 💡\"}}\n");
                }
            }, TestContext.Current.CancellationToken)));
        }

        var lines = sink.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(Threads * LinesPerThread).And.OnlyContain(line => line.EndsWith(",\"text\":\"Zoë 💡\"}", StringComparison.Ordinal));
        foreach (var thread in lines.GroupBy(line => line[..line.IndexOf(',', StringComparison.Ordinal)]))
        {
            thread.Select(line => int.Parse(line.Split("\"line\":")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture))
                .Should().Equal(Enumerable.Range(0, LinesPerThread));
        }
    }

    [Fact]
    public void Lines_handed_over_while_the_output_is_busy_leave_together_in_one_write()
    {
        var sink = new RecordingStream();
        sink.Block();
        using var writer = new BatchedStdout(sink);
        writer.Write("first\n");
        sink.WaitForWriteToStart();

        for (var i = 0; i < 100; i++)
        {
            writer.Write($"line {i}\n");
        }
        sink.Release();
        writer.Flush();

        sink.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(101);
        sink.Writes.Should().Be(2, "the hundred lines gathered while the first write was blocked go out in one write");
    }

    [Fact]
    public void Flush_returns_once_everything_handed_over_before_it_is_written()
    {
        var sink = new RecordingStream();
        using var writer = new BatchedStdout(sink);

        writer.Write("partial ");
        writer.WriteLine("line");
        writer.Flush();

        sink.Text.Should().Be("partial line" + Environment.NewLine);
    }

    [Fact]
    public async Task A_single_line_is_written_without_waiting_for_more()
    {
        var sink = new RecordingStream();
        using var writer = new BatchedStdout(sink);

        writer.Write("alone\n");

        await sink.FirstWrite.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        sink.Text.Should().Be("alone\n");
    }

    [Fact]
    public void A_line_written_after_disposal_is_written_at_once_not_lost()
    {
        var sink = new RecordingStream();
        var writer = new BatchedStdout(sink);
        writer.Write("before\n");
        writer.Dispose();

        writer.Write("after\n");

        sink.Text.Should().Be("before\nafter\n");
    }

    [Fact]
    public async Task A_broken_output_does_not_block_writers_or_flush()
    {
        var sink = new RecordingStream { Broken = true };
        using var writer = new BatchedStdout(sink, maxPendingChars: 16);

        // Each line alone fills the pending limit: with a working output every further line waits
        // for a write, so a writer that kept waiting on a broken one would never finish.
        var writing = Task.Run(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                writer.Write("more than sixteen characters\n");
            }
            writer.Flush();
        }, TestContext.Current.CancellationToken);

        await writing.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        sink.Writes.Should().BeGreaterThan(0, "the output was tried before it was known to be broken");
        sink.Text.Should().BeEmpty();
    }

    /// <summary>An output that records what reached it, in how many writes, and can hold a write until released.</summary>
    private sealed class RecordingStream : Stream
    {
        private readonly MemoryStream _content = new();
        private readonly ManualResetEventSlim _open = new(initialState: true);
        private readonly ManualResetEventSlim _writeStarted = new();
        private readonly TaskCompletionSource _firstWrite = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _writes;

        public bool Broken { get; init; }

        public int Writes => Volatile.Read(ref _writes);

        public Task FirstWrite => _firstWrite.Task;

        public string Text
        {
            get
            {
                lock (_content)
                {
                    return Encoding.UTF8.GetString(_content.ToArray());
                }
            }
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Block() => _open.Reset();

        public void Release() => _open.Set();

        public void WaitForWriteToStart() => _writeStarted.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Interlocked.Increment(ref _writes);
            _writeStarted.Set();
            _open.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue("the test releases a blocked write");
            if (Broken)
            {
                throw new IOException("Broken pipe");
            }
            lock (_content)
            {
                _content.Write(buffer, offset, count);
            }
            _firstWrite.TrySetResult();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _open.Dispose();
                _writeStarted.Dispose();
                _content.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
