; strokebot VERSION, profile klipper-servo (bundled): Klipper plotter with a pen
; servo named 'pen': SET_SERVO (synchronised)
; page 60 x 20 mm, Y up: flipped against the page height, pen width 1.5 mm
; 3 strokes, 14 points (simplified from 14, tolerance 0.75 mm)
; pen-down length 82.8 mm, pen-up travel 19.7 mm
; estimated plot time 5.3 s, the whole program from X0 Y0 Z0 (feed 3000 mm/min,
; travel 6000 mm/min); it assumes Klipper max_velocity: 100, max_accel: 500
; (mm/s, mm/s^2; see printer.cfg): a machine set slower plots slower
; Needs a [servo pen] section in printer.cfg.
G90
SET_SERVO SERVO=pen ANGLE=70
G4 P150
G0 X21.000 Y10.000 F6000
SET_SERVO SERVO=pen ANGLE=30
G4 P150
G1 X19.243 Y5.050 F3000
G1 X15.000 Y3.000
G1 X10.757 Y5.050
G1 X9.000 Y10.000
G1 X10.757 Y14.950
G1 X15.000 Y17.000
G1 X19.243 Y14.950
G1 X21.000 Y10.000
SET_SERVO SERVO=pen ANGLE=70
G4 P150
G0 X35.000 Y17.000 F6000
SET_SERVO SERVO=pen ANGLE=30
G4 P150
G1 X38.000 Y3.000 F3000
G1 X41.000 Y17.000
G1 X44.000 Y3.000
SET_SERVO SERVO=pen ANGLE=70
G4 P150
G0 X47.500 Y5.000 F6000
SET_SERVO SERVO=pen ANGLE=30
G4 P150
SET_SERVO SERVO=pen ANGLE=70
G4 P150
G0 X0 Y0 F6000
M400
M84
