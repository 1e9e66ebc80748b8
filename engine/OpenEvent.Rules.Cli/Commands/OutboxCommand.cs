using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpenEvent.Rules.Cli.CommandLine;
using Microsoft.Extensions.Configuration;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Broker;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// <c>oer outbox list|retry|purge [--db PATH | --broker URI]</c>: inspect and replay the hosts' outbox through
/// <see cref="IOutbox"/>, whichever holds it. The SQLite file is opened directly (safe while the host runs: WAL, busy
/// timeout), so it works on a stopped host too; the broker's queues are reached with the hosts' own settings
/// (OpenEventRules__Broker__* and OpenEventRules__Outbox__* from the environment or appsettings.json in the current folder,
/// the URI from --broker or OpenEventRules__Broker__Uri), credentials from the environment only.
/// </summary>
internal static class OutboxCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var command = new Command("outbox", "Inspect and replay the actions of the host's outbox (pending, delivered, dead-lettered).")
        {
            List(stdout, stderr),
            Retry(stdout, stderr, time),
            Purge(stdout, stderr, time),
        };
        command.With(
            ["oer outbox list --status dead", "oer outbox retry --all", "oer outbox purge --delivered --older-than 7d"],
            [(ExitCodes.Success, "done"), (ExitCodes.Usage, CommandHelp.UsageExit + ", or the outbox file was not found")]);
        return command;
    }

    private static Option<string> DbOption() => new("--db")
    {
        Description = $"The outbox SQLite file (default: {OutboxOptions.DefaultPath}, the host's OpenEventRules:Outbox:Path default).",
        DefaultValueFactory = _ => OutboxOptions.DefaultPath,
    };

    private static Option<string> BrokerOption() => new("--broker")
    {
        Description = "The broker the hosts share (amqp://host:5672; default: OpenEventRules__Broker__Uri); its queues are the outbox. Credentials come from OpenEventRules__Broker__UserName and __Password.",
    };

    private static Option<string> SettingsOption() => new("--settings")
    {
        Description = "With a broker: the hosts' settings file (appsettings.json shape), for their Broker and Outbox settings (default: appsettings.json in the current folder, when there is one).",
    };

    private static Command List(TextWriter stdout, TextWriter stderr)
    {
        var db = DbOption();
        var broker = BrokerOption();
        var settings = SettingsOption();
        var status = new Option<string>("--status") { Description = "pending, delivered, dead or all (default).", DefaultValueFactory = _ => "all" };
        status.AcceptOnlyFromAmong("pending", "delivered", "dead", "all");
        var limit = new Option<int>("--limit") { Description = "At most this many actions, newest first (default 50).", DefaultValueFactory = _ => 50 };
        limit.Validators.Add(value =>
        {
            if (value.GetValueOrDefault<int>() < 1)
            {
                value.AddError("--limit must be 1 or more");
            }
        });
        var format = new Option<string>("--format") { Description = "text (default) or json (one object per line).", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("list", "List stored actions with their status, attempts and last error.") { db, broker, settings, status, limit, format };
        command.With(
            ["oer outbox list", "oer outbox list --db /var/lib/oer/outbox.db --status dead --format json", "oer outbox list --broker amqp://rabbit.internal:5672 --status dead"],
            [(ExitCodes.Success, "listed"), (ExitCodes.Usage, CommandHelp.UsageExit + ", or the outbox file was not found")]);
        command.SetAction((result, cancellationToken) => WithOutboxAsync(result, db, broker, settings, stderr, async store =>
        {
            var filter = result.GetValue(status) is "all" or null ? null : result.GetValue(status);
            var items = await store.ListAsync(filter, result.GetValue(limit), cancellationToken);
            if (result.GetValue(format) == "json")
            {
                foreach (var item in items)
                {
                    stdout.WriteLine(Json(item));
                }

                return ExitCodes.Success;
            }

            foreach (var item in items)
            {
                stdout.WriteLine(string.Join("  ", item.Id.ToString(CultureInfo.InvariantCulture), item.Status, $"attempts={item.Attempts}",
                    item.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture), item.Kind, item.Destination, item.Key));
                if (item.LastError is { } error)
                {
                    stdout.WriteLine($"    last error: {error}");
                }
            }

            var counts = await store.CountsAsync(cancellationToken);
            stdout.WriteLine(counts.Delivered is { } delivered
                ? $"{counts.Pending} pending, {delivered} delivered, {counts.Dead} dead"
                : $"{counts.Pending} pending, {counts.Dead} dead (delivered actions are not kept by the broker)");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Retry(TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var db = DbOption();
        var broker = BrokerOption();
        var settings = SettingsOption();
        var ids = new Option<long[]>("--id") { Description = "Retry these actions (ids from 'oer outbox list').", AllowMultipleArgumentsPerToken = true };
        var keys = new Option<string[]>("--key") { Description = "Retry the actions with these idempotency keys.", AllowMultipleArgumentsPerToken = true };
        var all = new Option<bool>("--all") { Description = "Retry every dead-lettered action." };
        var command = new Command("retry",
            "Put dead-lettered actions back in the outbox (attempts and age start again), or make pending ones due now. The running host delivers them.")
        {
            db, broker, settings, ids, keys, all,
        };
        command.With(
            ["oer outbox retry --all", "oer outbox retry --id 12 13", "oer outbox retry --key 9d99e556-.../deploy-freeze/1/notify:oncall"],
            [(ExitCodes.Success, "the actions were queued (the running host delivers them)"), (ExitCodes.Failure, "no stored action has an --id or --key given"),
                (ExitCodes.Usage, CommandHelp.UsageExit + ", nothing named to retry, or the outbox file was not found")]);
        command.SetAction((result, cancellationToken) =>
        {
            var idList = result.GetValue(ids) ?? [];
            var keyList = result.GetValue(keys) ?? [];
            if (!result.GetValue(all) && idList.Length == 0 && keyList.Length == 0)
            {
                stderr.WriteLine("oer: name the actions to retry with --id or --key, or use --all for every dead letter");
                return Task.FromResult(ExitCodes.Usage);
            }

            return WithOutboxAsync(result, db, broker, settings, stderr, async store =>
            {
                var count = await store.RetryAsync(idList, keyList, cancellationToken);
                stdout.WriteLine($"{count} action{(count == 1 ? "" : "s")} queued for delivery");
                if (count == 0 && idList.Length + keyList.Length > 0)
                {
                    // A mistyped key must not pass for a retry in a script.
                    stderr.WriteLine("oer: no stored action has the id or key given; 'oer outbox list' shows them");
                    return ExitCodes.Failure;
                }

                return ExitCodes.Success;
            }, time);
        });
        return command;
    }

    private static Command Purge(TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var db = DbOption();
        var broker = BrokerOption();
        var settings = SettingsOption();
        var delivered = new Option<bool>("--delivered") { Description = "Delete delivered actions (their keys are then forgotten: a redelivered event would act again)." };
        var olderThan = new Option<string>("--older-than") { Description = "With --delivered: only those delivered before this age (e.g. 7d, 12h, 30m, or 1.00:00:00)." };
        var dead = new Option<bool>("--dead") { Description = "Delete dead-lettered actions (all, or those given with --id)." };
        var ids = new Option<long[]>("--id") { Description = "With --dead: only these dead letters.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("purge", "Delete delivered actions and/or dead letters.") { db, broker, settings, delivered, olderThan, dead, ids };
        command.With(
            ["oer outbox purge --delivered --older-than 7d", "oer outbox purge --dead --id 12"],
            [(ExitCodes.Success, "purged"), (ExitCodes.Usage, CommandHelp.UsageExit + ", nothing named to purge, or the outbox file was not found")]);
        command.SetAction((result, cancellationToken) =>
        {
            if (!result.GetValue(delivered) && !result.GetValue(dead))
            {
                stderr.WriteLine("oer: say what to purge: --delivered, --dead, or both");
                return Task.FromResult(ExitCodes.Usage);
            }

            var age = TimeSpan.Zero;
            if (result.GetValue(olderThan) is { } text && !TryParseAge(text, out age))
            {
                stderr.WriteLine($"oer: --older-than '{text}' is not an age: write it like 7d, 12h, 30m or 1.00:00:00");
                return Task.FromResult(ExitCodes.Usage);
            }

            return WithOutboxAsync(result, db, broker, settings, stderr, async store =>
            {
                var (deliveredCount, deadCount) = await store.PurgeAsync(result.GetValue(delivered) ? time.GetUtcNow() - age : null, result.GetValue(dead), result.GetValue(ids), cancellationToken);
                stdout.WriteLine($"purged {deliveredCount} delivered, {deadCount} dead");
                return ExitCodes.Success;
            }, time);
        });
        return command;
    }

    /// <summary>The oldest age an option takes: older reaches before any log or outbox (and past what a date can hold).</summary>
    internal static readonly TimeSpan MaxAge = TimeSpan.FromDays(36_525);

    /// <summary>An age such as 7d, 12h, 30m, 45s or 1.00:00:00, from zero to <see cref="MaxAge"/>; false for anything else (NaN, infinity and huge numbers included).</summary>
    internal static bool TryParseAge(string text, out TimeSpan age)
    {
        age = default;
        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            var unit = text[^1] switch
            {
                'd' => TimeSpan.FromDays(1),
                'h' => TimeSpan.FromHours(1),
                'm' => TimeSpan.FromMinutes(1),
                's' => TimeSpan.FromSeconds(1),
                _ => TimeSpan.Zero,
            };
            if (unit > TimeSpan.Zero)
            {
                // Checked before any TimeSpan is made from the number: TimeSpan.FromDays and the like throw past their range.
                if (!(number >= 0 && number <= MaxAge / unit))
                {
                    return false;
                }

                age = unit * number;
                return true;
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out age) && age >= TimeSpan.Zero && age <= MaxAge;
    }

    /// <summary>Runs <paramref name="work"/> on the outbox named by --broker (or the hosts' settings), else by --db; a broker that cannot be reached is one line on stderr.</summary>
    private static async Task<int> WithOutboxAsync(ParseResult result, Option<string> db, Option<string> broker, Option<string> settingsFile, TextWriter stderr,
        Func<IOutbox, Task<int>> work, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        if (ReadSettings(result.GetValue(settingsFile), stderr) is not { } settings)
        {
            return ExitCodes.Usage;
        }

        var brokerOptions = settings.GetSection("Broker").Get<BrokerOptions>() ?? new BrokerOptions();
        if (result.GetValue(broker) is { Length: > 0 } uri)
        {
            brokerOptions.Uri = uri;
        }

        if (brokerOptions.Enabled && result.GetResult(db) is { Implicit: false })
        {
            stderr.WriteLine("oer: --db names the SQLite outbox and --broker (or OpenEventRules__Broker__Uri) the broker's: name one");
            return ExitCodes.Usage;
        }

        if (!brokerOptions.Enabled)
        {
            var path = result.GetValue(db)!;
            if (!File.Exists(path))
            {
                stderr.WriteLine($"oer: outbox not found: {path} (pass --db with the host's OpenEventRules:Outbox:Path, or --broker with the broker the hosts share)");
                return ExitCodes.Usage;
            }

            var store = new OutboxStore(path);
            store.Initialize();
            using var outbox = new SqliteOutbox(store, time);
            return await work(outbox);
        }

        return await WithBrokerOutboxAsync(brokerOptions, settings, stderr, work, time);
    }

    /// <summary>The hosts' settings (OpenEventRules section) from the file given, else appsettings.json if there is one, and the environment; null (reported) when unreadable.</summary>
    private static IConfigurationSection? ReadSettings(string? file, TextWriter stderr)
    {
        if (file is not null && !File.Exists(file))
        {
            stderr.WriteLine($"oer: settings file not found: {file}");
            return null;
        }

        try
        {
            return new ConfigurationBuilder()
                .AddJsonFile(Path.GetFullPath(file ?? "appsettings.json"), optional: file is null)
                .AddEnvironmentVariables()
                .Build()
                .GetSection("OpenEventRules");
        }
        catch (InvalidDataException ex)
        {
            stderr.WriteLine($"oer: the settings file cannot be read: {ex.Message}");
            return null;
        }
    }

    private static async Task<int> WithBrokerOutboxAsync(BrokerOptions brokerOptions, IConfigurationSection settings, TextWriter stderr, Func<IOutbox, Task<int>> work,
        TimeProvider time)
    {
        if (!Uri.TryCreate(brokerOptions.Uri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("amqp" or "amqps") || parsed.UserInfo.Length > 0)
        {
            stderr.WriteLine($"oer: --broker '{brokerOptions.Uri}' is not an AMQP URI without credentials: write it like amqp://rabbit.internal:5672 (credentials from OpenEventRules__Broker__UserName and __Password)");
            return ExitCodes.Usage;
        }

        await using var client = new BrokerOutboxClient(brokerOptions, settings.GetSection("Outbox").Get<OutboxOptions>() ?? new OutboxOptions(), time);
        try
        {
            return await work(client);
        }
        catch (OutboxUnavailableException ex)
        {
            stderr.WriteLine($"oer: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            stderr.WriteLine($"oer: the broker at {client.Location} has no outbox queues with these settings ({ex.ShutdownReason.ReplyText}): set OpenEventRules__Broker__QueuePrefix and the Outbox backoff settings as the hosts have them");
            return ExitCodes.Usage;
        }
    }

    private static string Json(OutboxItem item)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", item.Id);
            writer.WriteString("status", item.Status);
            writer.WriteString("key", item.Key);
            writer.WriteString("eventId", item.EventId);
            writer.WriteString("eventType", item.EventType);
            writer.WriteString("policy", item.Policy);
            writer.WriteString("kind", item.Kind);
            writer.WriteString("destination", item.Destination);
            writer.WriteNumber("attempts", item.Attempts);
            writer.WriteString("createdAt", item.CreatedAt);
            writer.WriteString("nextAttemptAt", item.NextAttemptAt);
            if (item.DeliveredAt is { } deliveredAt)
            {
                writer.WriteString("deliveredAt", deliveredAt);
            }
            else
            {
                writer.WriteNull("deliveredAt");
            }

            writer.WriteString("lastError", item.LastError);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
