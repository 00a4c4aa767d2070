import snnzoo as sz
from snnzoo import ureg as u
t = sz.sweep("/tmp/fixres-probe/small.toml", {"duration": ["10 ms", "40 ms", "30 ms"], "stimuli.I.amplitude": ["1 nA", "nan nA", "2 nA"]}, zip=True, executor="serial", record="spikes")
print(t.status.values)
g = t["G"].to_dataset()
print(g.snn.mean_rates().values)
print(g.snn.mean_rates(stop=10*u.ms).values)
try: g.snn.mean_rates(stop=35*u.ms)
except Exception as e: print(type(e).__name__, e)
