// Non-Linux builds: the TAP link is Linux-only; the module loads and every call throws.
#include <node_api.h>
static napi_value unsupported(napi_env env, napi_callback_info info) {
  (void)info;
  napi_throw_error(env, "ENOTSUP", "TAP devices are only supported on Linux");
  return NULL;
}
static napi_value init(napi_env env, napi_value exports) {
  const char *names[] = {"open", "read", "write", "watch", "ref", "close"};
  for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
    napi_value fn;
    napi_create_function(env, names[i], NAPI_AUTO_LENGTH, unsupported, NULL, &fn);
    napi_set_named_property(env, exports, names[i], fn);
  }
  return exports;
}
NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
