// The current time for countdowns, ticking every 15 s while a screen shows it.
import { onBeforeUnmount, onMounted, ref } from 'vue'

export function useNow(everyMs = 15000) {
  const now = ref(Date.now())
  let handle
  onMounted(() => {
    handle = setInterval(() => (now.value = Date.now()), everyMs)
  })
  onBeforeUnmount(() => clearInterval(handle))
  return now
}
