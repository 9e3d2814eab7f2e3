using BotResilience.CircuitBreaking;
using BotResilience.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace BotResilience.Tests.CircuitBreaking;

/// <summary>
/// Model-based tests: random command sequences are applied to the real breaker and to a small reference model
/// (written independently below, with a plain list of timestamped outcomes instead of a bucket ring), comparing
/// the state, the admitted/rejected answer, the retry-after and the transitions at every step.
/// </summary>
public sealed class CircuitBreakerModelTests
{
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Sampling = TimeSpan.FromSeconds(10);

    private enum Op
    {
        TryEnter,
        RecordSuccess,
        RecordFailure,
        RecordCanceled,
        Advance,
        Isolate,
        Reset,
    }

    private readonly record struct Command(Op Op, int Arg)
    {
        public override string ToString() => Op == Op.Advance ? $"Advance({Arg * 250} ms)" : Op.ToString();
    }

    private readonly record struct Config(double? Ratio, int Threshold, int MinimumThroughput, int Probes);

    private static Gen<Command> CommandGen { get; } = Gen.Frequency(
        (6, Gen.Constant(new Command(Op.TryEnter, 0))),
        (3, Gen.Constant(new Command(Op.RecordSuccess, 0))),
        (5, Gen.Constant(new Command(Op.RecordFailure, 0))),
        (1, Gen.Constant(new Command(Op.RecordCanceled, 0))),
        (4, Gen.Choose(0, 48).Select(q => new Command(Op.Advance, q))), // 0 .. 12 s in quarter seconds
        (1, Gen.Constant(new Command(Op.Isolate, 0))),
        (1, Gen.Constant(new Command(Op.Reset, 0))));

    private static Gen<Config> ConfigGen(bool ratio) =>
        from threshold in Gen.Choose(1, 5)
        from minimum in Gen.Choose(1, 6)
        from probes in Gen.Choose(1, 3)
        from ratioValue in Gen.Elements(0.25, 0.5, 0.75, 1.0)
        select new Config(ratio ? ratioValue : null, threshold, minimum, probes);

    [Fact]
    public void Consecutive_mode_matches_the_reference_model() => CheckAgainstModel(ratio: false);

    [Fact]
    public void Ratio_mode_matches_the_reference_model() => CheckAgainstModel(ratio: true);

    [Fact]
    public void Half_open_admits_at_most_HalfOpenProbes_probes_per_round()
    {
        var gen = from probes in Gen.Choose(1, 4)
                  from ratio in Gen.Elements(false, true)
                  from commands in Gen.ListOf(CommandGen.Where(c => c.Op != Op.RecordCanceled), 120)
                  select (probes, ratio, commands);
        Prop.ForAll(Arb.From(gen), input =>
        {
            var (probes, ratio, commands) = input;
            var time = new ManualTimeProvider();
            var breaker = new CircuitBreaker(
                new CircuitBreakerOptions
                {
                    FailureThreshold = 2,
                    FailureRatio = ratio ? 0.5 : null,
                    MinimumThroughput = 2,
                    SamplingDuration = Sampling,
                    BreakDuration = Break,
                    HalfOpenProbes = probes,
                },
                time);
            var admittedThisRound = 0;
            var roundStart = 0L;
            breaker.StateChanged += (_, change) =>
            {
                admittedThisRound = 0;
                roundStart = time.GetTimestamp();
            };

            foreach (var command in commands)
            {
                var wasHalfOpen = breaker.State == CircuitState.HalfOpen;
                if (wasHalfOpen && time.GetTimestamp() - roundStart >= Break.Ticks && command.Op == Op.TryEnter)
                {
                    // A half-open round that lasts a whole break duration without an outcome is renewed.
                    admittedThisRound = 0;
                    roundStart = time.GetTimestamp();
                }

                if (Apply(breaker, time, command) && breaker.State == CircuitState.HalfOpen)
                {
                    admittedThisRound++;
                    if (admittedThisRound > probes)
                    {
                        return false;
                    }
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    private static void CheckAgainstModel(bool ratio)
    {
        var gen = from config in ConfigGen(ratio)
                  from commands in Gen.ListOf(CommandGen, 150)
                  select (config, commands);
        Prop.ForAll(Arb.From(gen), input =>
        {
            var (config, commands) = input;
            var time = new ManualTimeProvider();
            var transitions = new List<(CircuitState From, CircuitState To)>();
            var breaker = new CircuitBreaker(
                new CircuitBreakerOptions
                {
                    Name = "model",
                    FailureThreshold = config.Threshold,
                    FailureRatio = config.Ratio,
                    MinimumThroughput = config.MinimumThroughput,
                    SamplingDuration = Sampling,
                    BreakDuration = Break,
                    HalfOpenProbes = config.Probes,
                    OnStateChanged = c => transitions.Add((c.From, c.To)),
                },
                time);
            var model = new Model(config, time);
            var step = 0;
            foreach (var command in commands)
            {
                step++;
                bool realAdmitted = false, modelAdmitted = false;
                TimeSpan realRetry = default, modelRetry = default;
                if (command.Op == Op.TryEnter)
                {
                    realAdmitted = breaker.TryEnter(out realRetry);
                    modelAdmitted = model.TryEnter(out modelRetry);
                }
                else
                {
                    Apply(breaker, time, command);
                    model.Apply(command);
                }

                if (realAdmitted != modelAdmitted || realRetry != modelRetry || breaker.State != model.State
                    || !transitions.SequenceEqual(model.Transitions))
                {
                    throw new InvalidOperationException(
                        $"Step {step} ({command}) with {config}: real admitted={realAdmitted} retry={realRetry} state={breaker.State}; "
                        + $"model admitted={modelAdmitted} retry={modelRetry} state={model.State}; "
                        + $"transitions real=[{string.Join(", ", transitions)}] model=[{string.Join(", ", model.Transitions)}]");
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    private static bool Apply(CircuitBreaker breaker, ManualTimeProvider time, Command command)
    {
        switch (command.Op)
        {
            case Op.TryEnter: return breaker.TryEnter(out _);
            case Op.RecordSuccess: breaker.RecordSuccess(); break;
            case Op.RecordFailure: breaker.RecordFailure(); break;
            case Op.RecordCanceled: breaker.RecordCanceled(); break;
            case Op.Advance: time.Advance(TimeSpan.FromMilliseconds(command.Arg * 250)); break;
            case Op.Isolate: breaker.Isolate(); break;
            case Op.Reset: breaker.Reset(); break;
        }

        return false;
    }

    /// <summary>The reference model: the specification written as directly as possible.</summary>
    private sealed class Model(Config config, ManualTimeProvider time)
    {
        private readonly List<(long Timestamp, bool Failure)> _outcomes = [];
        private CircuitState _state = CircuitState.Closed;
        private int _streak;
        private long _deadline;
        private int _probes;

        public List<(CircuitState From, CircuitState To)> Transitions { get; } = [];

        private long Now => time.GetTimestamp(); // TimestampFrequency == TimeSpan.TicksPerSecond

        public CircuitState State => _state == CircuitState.Open && Now >= _deadline ? CircuitState.HalfOpen : _state;

        public bool TryEnter(out TimeSpan retryAfter)
        {
            retryAfter = TimeSpan.Zero;
            if (_state == CircuitState.Closed)
            {
                return true;
            }

            if (_state == CircuitState.Isolated)
            {
                retryAfter = Timeout.InfiniteTimeSpan;
                return false;
            }

            if (_state == CircuitState.Open)
            {
                if (Now < _deadline)
                {
                    retryAfter = TimeSpan.FromTicks(_deadline - Now);
                    return false;
                }

                MoveTo(CircuitState.HalfOpen);
                _deadline = Now + Break.Ticks;
                _probes = 0;
            }

            if (Now >= _deadline)
            {
                _deadline = Now + Break.Ticks;
                _probes = 0;
            }

            if (_probes < config.Probes)
            {
                _probes++;
                return true;
            }

            retryAfter = TimeSpan.FromTicks(_deadline - Now);
            return false;
        }

        public void Apply(Command command)
        {
            switch (command.Op)
            {
                case Op.RecordSuccess when _state == CircuitState.Closed:
                    _streak = 0;
                    _outcomes.Add((Now, false));
                    break;
                case Op.RecordFailure when _state == CircuitState.Closed:
                    _streak++;
                    _outcomes.Add((Now, true));
                    if (Trips())
                    {
                        Open();
                    }

                    break;
                case Op.RecordSuccess when _state == CircuitState.HalfOpen:
                    Close();
                    break;
                case Op.RecordFailure when _state == CircuitState.HalfOpen:
                    Open();
                    break;
                case Op.RecordCanceled when _state == CircuitState.HalfOpen && _probes > 0:
                    _probes--;
                    break;
                case Op.Isolate when _state != CircuitState.Isolated:
                    MoveTo(CircuitState.Isolated);
                    break;
                case Op.Reset:
                    if (_state != CircuitState.Closed)
                    {
                        Close();
                    }
                    else
                    {
                        Clear();
                    }

                    break;
                case Op.Advance:
                    time.Advance(TimeSpan.FromMilliseconds(command.Arg * 250));
                    break;
                default:
                    break; // outcomes while Open/Isolated are ignored
            }
        }

        private bool Trips()
        {
            if (config.Ratio is not { } ratio)
            {
                return _streak >= config.Threshold;
            }

            // Window: the bucket of "now" and the 9 before it, buckets being Sampling / 10 wide.
            var width = Sampling.Ticks / 10;
            var current = Now / width;
            var inWindow = _outcomes.Where(o => o.Timestamp / width > current - 10).ToList();
            var failures = inWindow.Count(o => o.Failure);
            return inWindow.Count >= config.MinimumThroughput && failures >= ratio * inWindow.Count;
        }

        private void Open()
        {
            MoveTo(CircuitState.Open);
            _deadline = Now + Break.Ticks;
        }

        private void Close()
        {
            MoveTo(CircuitState.Closed);
            Clear();
        }

        private void Clear()
        {
            _streak = 0;
            _probes = 0;
            _outcomes.Clear();
        }

        private void MoveTo(CircuitState to)
        {
            Transitions.Add((_state, to));
            _state = to;
        }
    }
}
