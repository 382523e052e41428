/*
 * shouhu notifier plugin ABI, version 1.
 *
 * A notifier plugin is a shared object named `shouhu_notifier_<name>.so` that
 * exports one C function, `shouhu_notifier_entry`, returning a description of
 * the plugin: its name, a settings table, and three callbacks (init, send,
 * shutdown). The host (shouhud) loads it with dlopen at run time. This header
 * is all a third party needs: it is plain C99 and depends on nothing else.
 *
 * Division of work (as in Fluent Bit's output plugins):
 *   - The plugin declares each setting once, in `settings`. The host uses that
 *     table both to check a configuration before `init` and to print the
 *     plugin's documentation.
 *   - `send` makes ONE delivery attempt and says how it went: OK, RETRY (a
 *     transient failure: try again later) or PERMANENT (do not retry this
 *     message). The plugin never sleeps, loops or queues to retry: the host
 *     owns retry scheduling, backoff and the attempt limit.
 *
 * Compatibility: a change to any struct or callback in this header bumps
 * SHOUHU_NOTIFIER_ABI_VERSION. `abi_version` stays the first member of
 * `shouhu_notifier_plugin` in every version, so a host can always read it and
 * refuse a plugin built against another version with a clear message.
 */
#ifndef SHOUHU_NOTIFIER_H_
#define SHOUHU_NOTIFIER_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHOUHU_NOTIFIER_ABI_VERSION 1

/* The symbol the host looks up with dlsym. */
#define SHOUHU_NOTIFIER_ENTRY_SYMBOL "shouhu_notifier_entry"

/* Marks the entry function as exported even when the plugin is built with
 * -fvisibility=hidden (recommended: export nothing else). */
#if defined(__GNUC__)
#define SHOUHU_NOTIFIER_EXPORT __attribute__((visibility("default")))
#else
#define SHOUHU_NOTIFIER_EXPORT
#endif

/* Outcome of one delivery attempt. */
#define SHOUHU_SEND_OK 0 /* accepted by the peer (SMTP 250, HTTP 2xx) */
#define SHOUHU_SEND_RETRY                    \
  1 /* transient: connection error, timeout, \
       SMTP 4xx, HTTP 408/429/5xx */
#define SHOUHU_SEND_PERMANENT                 \
  2 /* will fail again as is: SMTP 5xx, other \
       HTTP 4xx, a message the plugin rejects */

/* Setting types. The host checks a configured value against its type before
 * init; a config_json value always has the JSON type named here. */
#define SHOUHU_SETTING_STRING 1 /* JSON string */
#define SHOUHU_SETTING_SECRET 2 /* JSON string, never echoed in errors/docs */
#define SHOUHU_SETTING_INT 3    /* JSON integer */
#define SHOUHU_SETTING_BOOL 4   /* JSON true / false */
#define SHOUHU_SETTING_ENUM 5   /* JSON string, one of `choices` */
#define SHOUHU_SETTING_MAP 6    /* JSON object whose values are strings */

/* One row of the settings table: the single place a setting is declared,
 * validated and documented. */
typedef struct shouhu_setting {
  const char* name;          /* [a-z0-9_]+; NULL ends the table */
  int type;                  /* SHOUHU_SETTING_* */
  int required;              /* non-zero: the configuration must give it */
  const char* default_value; /* text form ("30000", "true", "require", "{}")
                                or NULL for none; ignored when required */
  const char* choices;       /* ENUM only: allowed values joined by '|' */
  const char* description;   /* one or two sentences, for --help */
} shouhu_setting;

/* One notification. Every string is non-NULL, NUL-terminated UTF-8 (possibly
 * empty) and valid only for the duration of the send call. */
typedef struct shouhu_message {
  /* Stable across every attempt of the same notification; the plugin passes it
   * on to the peer when the peer can deduplicate (a header, a request field).
   */
  const char* idempotency_key;
  /* Email address, phone number (E.164, e.g. "+8613800138000") or webhook
   * id, depending on the plugin. */
  const char* recipient;
  const char* subject;
  const char* body;
  const char* template_id;          /* provider template id, or "" */
  const char* template_params_json; /* a JSON object, "{}" when none */
  int urgent;                       /* non-zero: escalation, mark as urgent */
} shouhu_message;

typedef struct shouhu_notifier_plugin {
  uint32_t abi_version; /* SHOUHU_NOTIFIER_ABI_VERSION; always first */
  const char* name;     /* must equal <name> in the file name */
  const char* description;
  const shouhu_setting* settings; /* ends with a row whose name is NULL */

  /* Creates an instance from `config_json`, a JSON object that the host has
   * checked against `settings`: no unknown keys, every required setting
   * present, every value of its declared type, and defaults filled in.
   * init checks what the table cannot (URL schemes, combinations) and on
   * failure returns NULL with a message in `err` (at most errlen bytes with
   * the terminating NUL) that names the setting, e.g.
   * `setting "url": must start with smtp:// or smtps://`. */
  void* (*init)(const char* config_json, char* err, size_t errlen);

  /* Makes one delivery attempt. Returns SHOUHU_SEND_*; on RETRY or PERMANENT
   * writes a one-line reason to `err`. Must return within the plugin's own
   * timeout. The host never calls send concurrently on the same ctx, but may
   * call it on different ctx (instances) from different threads. */
  int (*send)(void* ctx, const shouhu_message* msg, char* err, size_t errlen);

  /* Frees an instance returned by init. Called once, after the last send. */
  void (*shutdown)(void* ctx);
} shouhu_notifier_plugin;

/* Exported by every plugin. Returns a pointer to static storage that stays
 * valid while the plugin is loaded. */
typedef const shouhu_notifier_plugin* (*shouhu_notifier_entry_fn)(void);
SHOUHU_NOTIFIER_EXPORT const shouhu_notifier_plugin* shouhu_notifier_entry(
    void);

#ifdef __cplusplus
}
#endif

#endif /* SHOUHU_NOTIFIER_H_ */
