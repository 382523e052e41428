/*
 * A notifier plugin written in plain C99 against plugins/abi/shouhu_notifier.h
 * alone, as a third party would write one. Built several times with
 * different macros to give the loader tests good and broken plugins:
 *
 *   TEST_PLUGIN_NAME   the name it reports (must match the file to load)
 *   TEST_ABI_VERSION   the ABI version it reports (default: the current one)
 *   TEST_NO_ENTRY      export no shouhu_notifier_entry
 *   TEST_BAD_TABLE     declare an INT setting whose default is not a number
 *
 * Behaviour, driven by the normalised config the host passes to init:
 *   mode "ok" | "retry" | "permanent" | "bogus" (returns 42, outside the ABI)
 *   recipient "echo-config": PERMANENT with the config JSON as the message
 *   recipient "echo-message": PERMANENT with the message's fields, '|'-joined
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shouhu_notifier.h"

#ifndef TEST_ABI_VERSION
#define TEST_ABI_VERSION SHOUHU_NOTIFIER_ABI_VERSION
#endif

static int live_instances = 0;

/* Lets a test check that the host called shutdown once per init. */
SHOUHU_NOTIFIER_EXPORT int shouhu_test_live_instances(void) {
  return live_instances;
}

static const shouhu_setting settings[] = {
    {"greeting", SHOUHU_SETTING_STRING, 1, NULL, NULL, "Any non-empty text."},
#ifdef TEST_BAD_TABLE
    {"count", SHOUHU_SETTING_INT, 0, "three", NULL, "A number."},
#else
    {"count", SHOUHU_SETTING_INT, 0, "3", NULL, "A number."},
#endif
    {"mode", SHOUHU_SETTING_ENUM, 0, "ok", "ok|retry|permanent|bogus",
     "What send returns."},
    {"token", SHOUHU_SETTING_SECRET, 0, "", NULL, "A secret."},
    {"loud", SHOUHU_SETTING_BOOL, 0, "false", NULL, "A flag."},
    {"extra", SHOUHU_SETTING_MAP, 0, "{}", NULL, "Extra strings."},
    {NULL, 0, 0, NULL, NULL, NULL},
};

static void* test_init(const char* config_json, char* err, size_t errlen) {
  char* copy;
  if (strstr(config_json, "\"greeting\":\"\"")) {
    snprintf(err, errlen, "setting \"greeting\": must not be empty");
    return NULL;
  }
  copy = malloc(strlen(config_json) + 1);
  if (!copy) return NULL;
  strcpy(copy, config_json);
  ++live_instances;
  return copy;
}

static int test_send(void* ctx, const shouhu_message* msg, char* err,
                     size_t errlen) {
  const char* config = (const char*)ctx;
  if (strcmp(msg->recipient, "echo-config") == 0) {
    snprintf(err, errlen, "%s", config);
    return SHOUHU_SEND_PERMANENT;
  }
  if (strcmp(msg->recipient, "echo-message") == 0) {
    snprintf(err, errlen, "%s|%s|%s|%s|%s|%s|%d", msg->idempotency_key,
             msg->recipient, msg->subject, msg->body, msg->template_id,
             msg->template_params_json, msg->urgent);
    return SHOUHU_SEND_PERMANENT;
  }
  if (strstr(config, "\"mode\":\"retry\"")) {
    snprintf(err, errlen, "retry as configured");
    return SHOUHU_SEND_RETRY;
  }
  if (strstr(config, "\"mode\":\"permanent\"")) {
    snprintf(err, errlen, "permanent as configured");
    return SHOUHU_SEND_PERMANENT;
  }
  if (strstr(config, "\"mode\":\"bogus\"")) return 42;
  return SHOUHU_SEND_OK;
}

static void test_shutdown(void* ctx) {
  free(ctx);
  --live_instances;
}

static const shouhu_notifier_plugin plugin = {
    TEST_ABI_VERSION, TEST_PLUGIN_NAME, "A plugin for the loader tests.",
    settings,         test_init,        test_send,
    test_shutdown,
};

#ifdef TEST_NO_ENTRY
/* Looks like a plugin, but under another name. */
SHOUHU_NOTIFIER_EXPORT const shouhu_notifier_plugin* shouhu_notifier_entry_v0(
    void) {
  return &plugin;
}
#else
SHOUHU_NOTIFIER_EXPORT const shouhu_notifier_plugin* shouhu_notifier_entry(
    void) {
  return &plugin;
}
#endif
